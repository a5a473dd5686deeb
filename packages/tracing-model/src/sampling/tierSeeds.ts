import { DEFAULT_TRACING_TIER, TRACING_TIERS, TracingTier } from '../tiers';
import {
  AlwaysKeepRules,
  DEFAULT_KEEP_SLOWER_THAN_MS,
  SamplingPolicy,
} from './policySchema';

/** The always-keep rules of the tier seeds: errors and slow spans are kept. */
export const DEFAULT_ALWAYS_KEEP: Readonly<AlwaysKeepRules> = Object.freeze({
  keepErrors: true,
  keepSlowerThanMs: DEFAULT_KEEP_SLOWER_THAN_MS,
});

function seed(rate: number): SamplingPolicy {
  return {
    strategy: { type: 'probabilistic', rate },
    operations: [],
    alwaysKeep: { ...DEFAULT_ALWAYS_KEEP },
    samplingLocation: 'pipeline',
  };
}

/** The seeds of the tier defaults: critical 100%, standard 10%, high-volume 1%. */
export const TIER_DEFAULT_RATES: Readonly<Record<TracingTier, number>> =
  Object.freeze({
    critical: 1,
    standard: 0.1,
    'high-volume': 0.01,
  });

/** A fresh copy of a tier's seed policy. */
export function tierDefaultPolicy(tier: TracingTier): SamplingPolicy {
  return seed(TIER_DEFAULT_RATES[tier]);
}

/** A fresh copy of the seed used for services without a policy and without a tier. */
export function defaultSamplingPolicy(): SamplingPolicy {
  return tierDefaultPolicy(DEFAULT_TRACING_TIER);
}

export function isTracingTier(value: unknown): value is TracingTier {
  return (TRACING_TIERS as readonly unknown[]).includes(value);
}
