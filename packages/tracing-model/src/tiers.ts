/** The sampling tiers a service can be in (`tracing-health/tier`), most sampled first. */
export const TRACING_TIERS = ['critical', 'standard', 'high-volume'] as const;
export type TracingTier = (typeof TRACING_TIERS)[number];

/** The tier used when a component opts in without naming one. */
export const DEFAULT_TRACING_TIER: TracingTier = 'standard';
