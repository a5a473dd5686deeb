import { Config, ConfigReader } from '@backstage/config';

/** `tracingHealth.serviceGraph` with defaults applied. */
export interface ServiceGraphConfig {
  /** Seconds an unpaired client or server span waits for its other half. */
  waitSeconds: number;
  /** Unpaired halves held at once (per pipeline worker). */
  maxPending: number;
  /** Distinct edges counted (per pipeline worker); also bounds the metric series. */
  maxEdges: number;
  /** Rollup rows kept at most; the oldest buckets go first. */
  maxRows: number;
}

function positiveInteger(
  config: Config,
  key: string,
  fallback: number,
  max: number,
): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isInteger(value) || value > max)
    throw new Error(
      `tracingHealth.${key}: must be a positive integer of at most ${max} (got ${value})`,
    );
  return value;
}

/** Reads and validates the service graph settings; throws naming the key of a bad value. */
export function readServiceGraphConfig(rootConfig: Config): ServiceGraphConfig {
  const config =
    rootConfig.getOptionalConfig('tracingHealth') ?? new ConfigReader({});
  return {
    waitSeconds: positiveInteger(config, 'serviceGraph.waitSeconds', 10, 600),
    maxPending: positiveInteger(
      config,
      'serviceGraph.maxPending',
      20_000,
      10_000_000,
    ),
    maxEdges: positiveInteger(config, 'serviceGraph.maxEdges', 1_000, 100_000),
    maxRows: positiveInteger(
      config,
      'serviceGraph.maxRows',
      500_000,
      100_000_000,
    ),
  };
}
