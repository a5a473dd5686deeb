import { Config } from '@backstage/config';

/** Config keys of `/metrics` (declared in config.d.ts). */
export const METRICS_CONFIG_KEYS = {
  cacheSeconds: 'tracingHealth.metrics.cacheSeconds',
  requireAuth: 'tracingHealth.metrics.requireAuth',
} as const;

export interface MetricsConfig {
  /** Seconds one collection answers every scrape (default 10); 0 collects on every scrape. */
  cacheSeconds: number;
  /** When true, `/metrics` needs a signed-in user, a backend plugin or a read token. */
  requireAuth: boolean;
}

export const DEFAULT_METRICS_CACHE_SECONDS = 10;

export function readMetricsConfig(config: Config): MetricsConfig {
  const cacheSeconds =
    config.getOptionalNumber(METRICS_CONFIG_KEYS.cacheSeconds) ??
    DEFAULT_METRICS_CACHE_SECONDS;
  if (!Number.isFinite(cacheSeconds) || cacheSeconds < 0) {
    throw new Error(
      `${METRICS_CONFIG_KEYS.cacheSeconds}: must be a number of seconds, 0 or more`,
    );
  }
  return {
    cacheSeconds,
    requireAuth:
      config.getOptionalBoolean(METRICS_CONFIG_KEYS.requireAuth) ?? false,
  };
}
