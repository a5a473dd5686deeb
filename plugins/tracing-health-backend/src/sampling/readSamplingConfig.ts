import { Config } from '@backstage/config';
import {
  DEFAULT_MAX_EMERGENCY_MINUTES,
  SamplingPolicyPatch,
  TRACING_TIERS,
  TracingTier,
  validateSamplingPolicyPatch,
} from '@internal/plugin-tracing-health-common';

/** `tracingHealth.sampling` with defaults applied. */
export interface SamplingControlConfig {
  /** How often each replica polls the policy version row. */
  refreshSeconds: number;
  /** How often each replica re-reads which catalog component emits which service (and its tier). */
  catalogRefreshSeconds: number;
  /** How often expired overrides are removed and audited (one replica per run). */
  expiryCheckSeconds: number;
  /** Upper bound of `expiresInMinutes` for overrides and maintenance. */
  maxEmergencyMinutes: number;
  /** Spans per trace assumed when rendering rate limits for the collector (which counts spans). */
  collectorSpansPerTrace: number;
  /** `default`: over the standard tier's policy, for services without a catalog component. */
  defaults?: SamplingPolicyPatch;
  /** Layered over each tier's seed (critical 100%, standard 10%, high-volume 1%). */
  tiers: Partial<Record<TracingTier, SamplingPolicyPatch>>;
}

const KEY = 'tracingHealth.sampling';

function positive(
  config: Config | undefined,
  key: string,
  fallback: number,
): number {
  const value = config?.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!(value > 0)) {
    throw new Error(`${KEY}.${key}: must be a positive number (got ${value})`);
  }
  return value;
}

function readPatch(
  config: Config | undefined,
  key: string,
): SamplingPolicyPatch | undefined {
  if (!config?.has(key)) return undefined;
  const result = validateSamplingPolicyPatch(config.get(key), `${KEY}.${key}`);
  if (!result.success) {
    throw new Error(
      `Invalid sampling config: ${result.errors
        .map(e => `${e.path}: ${e.message}`)
        .join('; ')}`,
    );
  }
  return result.value;
}

/** Reads and validates `tracingHealth.sampling`; throws naming the key of every problem. */
export function readSamplingConfig(rootConfig: Config): SamplingControlConfig {
  const config = rootConfig.getOptionalConfig(KEY);
  const tiers: Partial<Record<TracingTier, SamplingPolicyPatch>> = {};
  for (const tier of TRACING_TIERS) {
    const patch = readPatch(config, `tiers.${tier}`);
    if (patch) tiers[tier] = patch;
  }
  const unknownTiers = (
    config?.getOptionalConfig('tiers')?.keys() ?? []
  ).filter(k => !(TRACING_TIERS as readonly string[]).includes(k));
  if (unknownTiers.length > 0) {
    throw new Error(
      `${KEY}.tiers: unknown tier ${unknownTiers.join(
        ', ',
      )} (known: ${TRACING_TIERS.join(', ')})`,
    );
  }
  return {
    refreshSeconds: positive(config, 'refreshSeconds', 5),
    catalogRefreshSeconds: positive(config, 'catalogRefreshSeconds', 60),
    expiryCheckSeconds: positive(config, 'expiryCheckSeconds', 30),
    maxEmergencyMinutes: positive(
      config,
      'maxEmergencyMinutes',
      DEFAULT_MAX_EMERGENCY_MINUTES,
    ),
    collectorSpansPerTrace: positive(config, 'collectorSpansPerTrace', 1),
    defaults: readPatch(config, 'default'),
    tiers,
  };
}
