import { Config, ConfigReader } from '@backstage/config';

/** `tracingHealth.coverage` (and `tracingHealth.silentAfterMinutes`) with defaults applied. */
export interface CoverageConfig {
  silentAfterMinutes: number;
  /** RED figures and completeness on the pages are averages over this many minutes. */
  windowMinutes: number;
  retentionHours: number;
  /** Bounds the rollup table: older rows of a service beyond this count are deleted. */
  maxRowsPerService: number;
  /** How often the rollup writer persists; buckets stay 1 minute whatever this is. */
  flushIntervalSeconds: number;
  /** How long a trace's spans may take to arrive before missing parents count as orphans. */
  completenessWindowSeconds: number;
  /** Traces tracked for completeness at once. */
  maxTraces: number;
  /** Distinct service names with their own series; the rest are counted as `__other__`. */
  maxServices: number;
  /** Service names seen within this many hours and mapped by no component are listed as unregistered. */
  unregisteredLookbackHours: number;
}

function positive(
  config: Config,
  key: string,
  fallback: number,
  { integer = false, max }: { integer?: boolean; max?: number } = {},
): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!(value > 0) || (integer && !Number.isInteger(value)) || (max !== undefined && value > max)) {
    const what = integer ? 'a positive integer' : 'a positive number';
    throw new Error(
      `tracingHealth.${key}: must be ${what}${max !== undefined ? ` of at most ${max}` : ''} (got ${value})`,
    );
  }
  return value;
}

/** Reads and validates the coverage settings; throws naming the key of every bad value. */
export function readCoverageConfig(rootConfig: Config): CoverageConfig {
  const config = rootConfig.getOptionalConfig('tracingHealth') ?? new ConfigReader({});
  const retentionHours = positive(config, 'coverage.retentionHours', 48, { max: 24 * 366 });
  return {
    silentAfterMinutes: positive(config, 'silentAfterMinutes', 10),
    windowMinutes: positive(config, 'coverage.windowMinutes', 15, { integer: true, max: 24 * 60 }),
    retentionHours,
    maxRowsPerService: positive(
      config,
      'coverage.maxRowsPerService',
      Math.ceil(retentionHours * 60 * 2),
      { integer: true },
    ),
    flushIntervalSeconds: positive(config, 'coverage.flushIntervalSeconds', 60, { max: 3600 }),
    completenessWindowSeconds: positive(config, 'coverage.completenessWindowSeconds', 30, {
      max: 3600,
    }),
    maxTraces: positive(config, 'coverage.maxTraces', 50_000, { integer: true }),
    maxServices: positive(config, 'coverage.maxServices', 1_000, { integer: true }),
    unregisteredLookbackHours: positive(config, 'coverage.unregisteredLookbackHours', 24),
  };
}
