import { z } from 'zod';

/*
 * Sampling strategies: how many of a service's traces are kept (a fixed probability, an adaptive
 * rate towards a target, or a rate limit).
 */

/** A sampling probability in [0, 1]. */
export const samplingRateSchema = z
  .number({
    required_error: 'is required',
    invalid_type_error: 'must be a number between 0 and 1',
  })
  .finite('must be a finite number')
  .min(0, 'must be between 0 and 1')
  .max(1, 'must be between 0 and 1');

const positiveRateSchema = (what: string) =>
  z
    .number({
      required_error: 'is required',
      invalid_type_error: `must be a positive number of ${what}`,
    })
    .finite('must be a finite number')
    .positive(`must be a positive number of ${what}`)
    .max(1_000_000, `must be at most 1000000 ${what}`);

export const probabilisticStrategySchema = z
  .object({
    type: z.literal('probabilistic'),
    /** The fraction of traces kept. */
    rate: samplingRateSchema,
  })
  .strict();

export const adaptiveStrategySchema = z
  .object({
    type: z.literal('adaptive'),
    /** Kept traces per second this service should produce (per pipeline replica). */
    targetTracesPerSecond: positiveRateSchema('traces per second'),
    /** The computed rate never goes below this. */
    minRate: samplingRateSchema,
    /** The computed rate never goes above this. */
    maxRate: samplingRateSchema,
  })
  .strict();

export const rateLimitingStrategySchema = z
  .object({
    type: z.literal('rate-limiting'),
    /** At most this many traces per second are kept (per pipeline replica / per SDK instance). */
    tracesPerSecond: positiveRateSchema('traces per second'),
  })
  .strict();

export const SAMPLING_STRATEGY_TYPES = [
  'probabilistic',
  'adaptive',
  'rate-limiting',
] as const;

export const samplingStrategySchema = z.discriminatedUnion(
  'type',
  [
    probabilisticStrategySchema,
    adaptiveStrategySchema,
    rateLimitingStrategySchema,
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: `must be one of ${SAMPLING_STRATEGY_TYPES.join(', ')}` }
        : { message: ctx.defaultError },
  },
);

export type ProbabilisticStrategy = z.infer<typeof probabilisticStrategySchema>;
export type AdaptiveStrategy = z.infer<typeof adaptiveStrategySchema>;
export type RateLimitingStrategy = z.infer<typeof rateLimitingStrategySchema>;
export type SamplingStrategy = z.infer<typeof samplingStrategySchema>;

/** A short human description, e.g. `probabilistic 10%` or `adaptive 50/s [0.1%..100%]`. */
export function describeStrategy(strategy: SamplingStrategy): string {
  const pct = (r: number) => `${+(r * 100).toPrecision(6)}%`;
  switch (strategy.type) {
    case 'probabilistic':
      return `probabilistic ${pct(strategy.rate)}`;
    case 'adaptive':
      return `adaptive ${strategy.targetTracesPerSecond}/s [${pct(
        strategy.minRate,
      )}..${pct(strategy.maxRate)}]`;
    case 'rate-limiting':
      return `rate-limiting ${strategy.tracesPerSecond}/s`;
    default:
      return 'unknown';
  }
}
