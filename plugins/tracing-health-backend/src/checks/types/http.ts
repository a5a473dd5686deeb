import { CheckType } from '@internal/plugin-tracing-health-node';
import { z } from 'zod';
import { describeProbeFailure, httpProbe } from '../lib/httpProbe';

const optionsSchema = z
  .object({
    /** Statuses that count as up (default: any 2xx or 3xx). */
    expectedStatus: z
      .array(z.number().int().min(100).max(599))
      .nonempty()
      .optional(),
    /** Text the body must contain. */
    bodyContains: z.string().optional(),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

/** Status and latency of any URL (`target`). */
export const httpCheckType: CheckType<Options> = {
  type: 'http',
  description: 'status and latency of a URL',
  runbookId: 'endpoint-down',
  target: 'required',
  measurements: {
    status: {
      description: 'the HTTP status, judged against expectedStatus',
      runbookId: 'endpoint-down',
    },
    latencyMs: {
      description: 'time to the end of the body',
      unit: 'ms',
      threshold: { warning: 1000, direction: 'above' },
      runbookId: 'endpoint-slow',
    },
  },
  parseOptions: raw => optionsSchema.parse(raw),
  async run(ctx) {
    let res;
    try {
      res = await httpProbe(ctx.target!, {
        signal: ctx.signal,
        headers: ctx.headers,
      });
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return {
        measurements: [
          ctx.verdict('status', 'critical', {
            message: describeProbeFailure('', error),
          }),
        ],
      };
    }
    const expected = ctx.options.expectedStatus;
    const statusOk = expected
      ? expected.includes(res.status)
      : res.status < 400;
    const bodyOk =
      ctx.options.bodyContains === undefined ||
      res.body.includes(ctx.options.bodyContains);
    const statusMessage = () => {
      if (!statusOk)
        return `answered ${res.status}, expected ${
          expected?.join(' or ') ?? '2xx or 3xx'
        }`;
      return bodyOk
        ? `answered ${res.status}`
        : `answered ${res.status} without "${ctx.options.bodyContains}" in the body`;
    };
    return {
      measurements: [
        ctx.verdict('status', statusOk && bodyOk ? 'ok' : 'critical', {
          message: statusMessage(),
          value: res.status,
        }),
        ctx.measure('latencyMs', res.latencyMs, {
          message: `answered in ${Math.round(res.latencyMs)} ms`,
        }),
      ],
    };
  },
};
