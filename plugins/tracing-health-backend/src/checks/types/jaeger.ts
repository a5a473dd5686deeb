import { CheckMeasurement } from '@internal/plugin-tracing-health-common';
import {
  CheckRunContext,
  CheckType,
} from '@internal/plugin-tracing-health-node';
import { z } from 'zod';
import { describeProbeFailure, httpProbe, joinUrl } from '../lib/httpProbe';

const optionsSchema = z
  .object({
    /** The collector's admin health endpoint, e.g. http://jaeger-collector:14269/. */
    collectorHealthUrl: z.string().url().optional(),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

async function checkQuery(
  ctx: CheckRunContext<Options>,
): Promise<CheckMeasurement[]> {
  const url = joinUrl(ctx.target!, '/api/services');
  try {
    const res = await httpProbe(url, {
      signal: ctx.signal,
      headers: ctx.headers,
    });
    let body: { data?: unknown; errors?: unknown } | undefined;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const services = Array.isArray(body?.data) ? body!.data.length : undefined;
    const failed = res.status !== 200 || services === undefined;
    const errors = Array.isArray(body?.errors) && body!.errors.length > 0;
    return [
      ctx.verdict('query', queryStatus(failed, errors), {
        message: failed
          ? `/api/services answered ${res.status}: ${res.body.slice(0, 200)}`
          : `/api/services lists ${services} services${
              errors
                ? ` with errors ${JSON.stringify(body!.errors).slice(0, 200)}`
                : ''
            }`,
        value: services,
      }),
      ctx.measure('queryLatencyMs', res.latencyMs, {
        message: `/api/services took ${Math.round(res.latencyMs)} ms`,
      }),
    ];
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return [
      ctx.verdict('query', 'critical', {
        message: describeProbeFailure('query service', error),
      }),
    ];
  }
}

async function checkCollector(
  ctx: CheckRunContext<Options>,
  url: string,
): Promise<CheckMeasurement> {
  try {
    const res = await httpProbe(url, { signal: ctx.signal });
    let said = res.body.trim().slice(0, 200);
    try {
      said = JSON.parse(res.body).status ?? said;
    } catch {
      // quoted as-is
    }
    return ctx.verdict(
      'collectorHealth',
      res.status === 200 ? 'ok' : 'critical',
      {
        message: `collector health answered ${res.status}: ${said}`,
        value: res.status,
      },
    );
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return ctx.verdict('collectorHealth', 'critical', {
      message: describeProbeFailure('collector health', error),
    });
  }
}

/**
 * Jaeger: the query service's `/api/services` (availability and latency; `target` is the query
 * base URL, e.g. http://jaeger-query:16686) and, with `options.collectorHealthUrl`, the
 * collector's admin health endpoint.
 */
function queryStatus(
  failed: boolean,
  errors: boolean,
): 'ok' | 'warning' | 'critical' {
  if (failed) return 'critical';
  return errors ? 'warning' : 'ok';
}

export const jaegerCheckType: CheckType<Options> = {
  type: 'jaeger',
  description: 'Jaeger query /api/services latency and collector health',
  runbookId: 'jaeger-query-down',
  target: 'required',
  measurements: {
    query: {
      description: '/api/services answered with a service list',
      runbookId: 'jaeger-query-down',
    },
    queryLatencyMs: {
      description: 'time for /api/services to answer',
      unit: 'ms',
      threshold: { warning: 500, critical: 2000, direction: 'above' },
      runbookId: 'high-query-latency',
    },
    collectorHealth: {
      description: 'collector admin health endpoint status',
      runbookId: 'collector-down',
    },
  },
  parseOptions: raw => optionsSchema.parse(raw),
  async run(ctx) {
    const [query, collector] = await Promise.all([
      checkQuery(ctx),
      ctx.options.collectorHealthUrl
        ? checkCollector(ctx, ctx.options.collectorHealthUrl)
        : undefined,
    ]);
    return { measurements: collector ? [...query, collector] : query };
  },
};
