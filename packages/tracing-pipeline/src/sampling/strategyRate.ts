import type { SamplingStrategy } from '@internal/tracing-model';

/**
 * THE answer to "what rate does this service get": the probability its traces are kept at under
 * its strategy right now. The head sampler applies it, the Jaeger endpoint serves it to SDKs that
 * sample themselves, the collector config renders it and the pages show it.
 *
 * - probabilistic: its rate;
 * - adaptive: the rate the adaptive sampler computed for the service, clamped to
 *   [minRate, maxRate]; `minRate` while none is known (the adaptive sampler starts there, and it
 *   is the conservative answer for an SDK, like Jaeger's low initial probability);
 * - rate-limiting: undefined (no fixed probability: traces are kept up to a count per second).
 */
export function strategyRateOf(
  strategy: SamplingStrategy,
  adaptiveRate?: number,
): number | undefined {
  switch (strategy.type) {
    case 'probabilistic':
      return strategy.rate;
    case 'adaptive':
      return adaptiveRate === undefined || !Number.isFinite(adaptiveRate)
        ? strategy.minRate
        : Math.min(strategy.maxRate, Math.max(strategy.minRate, adaptiveRate));
    default:
      return undefined;
  }
}
