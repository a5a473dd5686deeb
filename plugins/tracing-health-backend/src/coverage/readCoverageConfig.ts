import { Config } from '@backstage/config';
import { z } from 'zod';
import { positive, readConfig } from '../config/readConfig';

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

const coverageSchema = z.object({
  silentAfterMinutes: positive(10),
  coverage: z
    .object({
      windowMinutes: positive(15, { integer: true, max: 24 * 60 }),
      retentionHours: positive(48, { max: 24 * 366 }),
      /** Default: two rows a minute over the retention. */
      maxRowsPerService: positive(undefined, { integer: true }),
      flushIntervalSeconds: positive(60, { max: 3600 }),
      completenessWindowSeconds: positive(30, { max: 3600 }),
      maxTraces: positive(50_000, { integer: true }),
      maxServices: positive(1_000, { integer: true }),
      unregisteredLookbackHours: positive(24),
    })
    .default({}),
});

/** Reads and validates the coverage settings; throws naming the key of every bad value. */
export function readCoverageConfig(rootConfig: Config): CoverageConfig {
  const { silentAfterMinutes, coverage } = readConfig(
    rootConfig,
    'tracingHealth',
    coverageSchema,
  );
  return {
    silentAfterMinutes,
    ...coverage,
    maxRowsPerService:
      coverage.maxRowsPerService ?? Math.ceil(coverage.retentionHours * 60 * 2),
  };
}
