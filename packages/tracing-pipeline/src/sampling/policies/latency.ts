import { z } from 'zod';
import {
  NOT_SAMPLED,
  SAMPLED,
  defineTailPolicy,
  finite,
  policyName,
} from './kind';

const schema = z
  .object({
    name: policyName,
    type: z.literal('latency'),
    /** Keep when the trace (earliest start to latest end) lasts at least this long. */
    thresholdMs: finite('must be a number of milliseconds').min(
      0,
      'must not be negative',
    ),
    /** Optional upper bound (exclusive): keep only durations in [thresholdMs, upperThresholdMs). */
    upperThresholdMs: finite('must be a number of milliseconds')
      .positive()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (
      p.upperThresholdMs !== undefined &&
      p.upperThresholdMs <= p.thresholdMs
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['upperThresholdMs'],
        message: 'must be greater than thresholdMs',
      });
    }
  });

/** Keeps a trace that lasts (earliest start to latest end) at least `thresholdMs`. */
export const latency = defineTailPolicy<'latency', z.output<typeof schema>>({
  type: 'latency',
  schema,
  compile({ thresholdMs, upperThresholdMs }) {
    return trace => {
      const d = trace.durationMs;
      return d >= thresholdMs &&
        (upperThresholdMs === undefined || d < upperThresholdMs)
        ? SAMPLED
        : NOT_SAMPLED;
    };
  },
  toCollector: policy => ({
    threshold_ms: policy.thresholdMs,
    ...(policy.upperThresholdMs !== undefined && {
      upper_threshold_ms: policy.upperThresholdMs,
    }),
  }),
  description:
    'Keeps a trace (earliest start to latest end) lasting at least this many milliseconds.',
  configDoc: `thresholdMs: number;
/** Optional upper bound (exclusive): keeps only durations in [thresholdMs, upperThresholdMs). */
upperThresholdMs?: number;`,
});
