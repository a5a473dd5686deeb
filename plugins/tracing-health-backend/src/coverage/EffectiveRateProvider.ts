/**
 * The share of a service's traces the samplers keep, implemented by the sampling engine.
 * Optional: without it, coverage shows no effective sampling rate.
 */
export interface EffectiveRateProvider {
  /** Kept / seen traces (0..1) of `serviceName` recently, or undefined when unknown. */
  effectiveSamplingRate(serviceName: string): number | undefined;
}
