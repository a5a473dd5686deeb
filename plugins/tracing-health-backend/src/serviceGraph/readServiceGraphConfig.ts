import { Config } from '@backstage/config';
import { z } from 'zod';
import { positive, readConfig } from '../config/readConfig';

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

const serviceGraphSchema = z
  .object({
    waitSeconds: positive(10, { integer: true, max: 600 }),
    maxPending: positive(20_000, { integer: true, max: 10_000_000 }),
    maxEdges: positive(1_000, { integer: true, max: 100_000 }),
    maxRows: positive(500_000, { integer: true, max: 100_000_000 }),
  })
  .default({});

/** Reads and validates the service graph settings; throws naming the key of a bad value. */
export function readServiceGraphConfig(rootConfig: Config): ServiceGraphConfig {
  return readConfig(
    rootConfig,
    'tracingHealth.serviceGraph',
    serviceGraphSchema,
  );
}
