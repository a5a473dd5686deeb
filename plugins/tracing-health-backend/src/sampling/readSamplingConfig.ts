import { Config } from '@backstage/config';
import {
  DEFAULT_BOOST_MINUTES,
  DEFAULT_MAX_EMERGENCY_MINUTES,
  MAX_BOOST_MINUTES,
  OwnerBudget,
  SamplingPolicyPatch,
  SamplingValidationError,
  TracingTier,
  ownerBudgetConfigSchema,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import {
  SamplingConfig,
  SamplingConfigError,
  parseSamplingConfig,
} from '@internal/tracing-pipeline';
import { z } from 'zod';
import { positive, throwIfAny } from '../config/readConfig';

/** `tracingHealth.sampling` as the control plane uses it, with defaults applied. */
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

/** `tracingHealth.sampling.budgets` and `.boost`. */
export interface InsightsConfig {
  /** `tracingHealth.sampling.budgets`, by owner (lower-case entity ref). */
  budgets: Map<string, OwnerBudget>;
  boost: { defaultMinutes: number; maxMinutes: number };
}

/** What the embedded pipeline's sampling stage takes of `tracingHealth.sampling`. */
export interface SamplingEngineConfig {
  /** `adaptive` and `tail` as configured (validated), for the pipeline workers to parse. */
  raw: { adaptive?: unknown; tail?: unknown };
  /** The same, parsed (in-process mode). */
  config: SamplingConfig;
}

/** Every key of `tracingHealth.sampling`, read once. */
export interface SamplingSettings {
  control: SamplingControlConfig;
  insights: InsightsConfig;
  engine: SamplingEngineConfig;
  /** Keys that are set but do nothing, with why (for a start-up warning). */
  ignored: string[];
}

const KEY = 'tracingHealth.sampling';

const samplingSchema = z.object({
  refreshSeconds: positive(5),
  catalogRefreshSeconds: positive(60),
  expiryCheckSeconds: positive(30),
  maxEmergencyMinutes: positive(DEFAULT_MAX_EMERGENCY_MINUTES),
  collectorSpansPerTrace: positive(1),
  budgets: ownerBudgetConfigSchema.optional(),
  boost: z
    .object({
      defaultMinutes: positive(DEFAULT_BOOST_MINUTES),
      maxMinutes: positive(MAX_BOOST_MINUTES),
    })
    .default({})
    .superRefine((boost, ctx) => {
      if (boost.defaultMinutes > boost.maxMinutes)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['defaultMinutes'],
          message: `must be at most maxMinutes (${boost.maxMinutes})`,
        });
    }),
  // adminGroups: read by the portal's permission policy (packages/backend), its one reader.
  // Policy patches and the engine's settings: parsed by the pipeline's parser (one schema for
  // the embedded engine and for the control plane's tier defaults).
  default: z.unknown().optional(),
  tiers: z.unknown().optional(),
  adaptive: z.unknown().optional(),
  tail: z.unknown().optional(),
  services: z.unknown().optional(),
});

/**
 * Reads and validates all of `tracingHealth.sampling` (the control plane's, the insights' and the
 * embedded engine's keys); throws naming the key of every problem.
 */
export function readSamplingSettings(rootConfig: Config): SamplingSettings {
  const raw = rootConfig.getOptional(KEY) ?? {};
  const errors: SamplingValidationError[] = [];
  const parsed = validateWith(samplingSchema, raw, KEY);
  if (!parsed.success) errors.push(...parsed.errors);
  const value = parsed.value;

  // Parsed whether or not the rest is valid, so one start-up names every problem.
  const object =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : {};
  const engineInput = Object.fromEntries(
    (['default', 'tiers', 'adaptive', 'tail'] as const)
      .filter(key => object[key] !== undefined)
      .map(key => [key, object[key]]),
  );
  let engine: SamplingConfig | undefined;
  try {
    engine = parseSamplingConfig(engineInput, KEY);
  } catch (error) {
    if (!(error instanceof SamplingConfigError)) throw error;
    errors.push(...error.errors);
  }
  throwIfAny(errors);

  const budgets = new Map<string, OwnerBudget>();
  for (const { owner, ...budget } of value!.budgets ?? [])
    budgets.set(owner.toLocaleLowerCase('en-US'), budget);
  return {
    control: {
      refreshSeconds: value!.refreshSeconds,
      catalogRefreshSeconds: value!.catalogRefreshSeconds,
      expiryCheckSeconds: value!.expiryCheckSeconds,
      maxEmergencyMinutes: value!.maxEmergencyMinutes,
      collectorSpansPerTrace: value!.collectorSpansPerTrace,
      defaults: engine!.default,
      tiers: engine!.tiers,
    },
    insights: { budgets, boost: value!.boost },
    engine: {
      raw: Object.fromEntries(
        (['adaptive', 'tail'] as const)
          .filter(key => value![key] !== undefined)
          .map(key => [key, value![key]]),
      ),
      config: engine!,
    },
    ignored:
      value!.services === undefined
        ? []
        : [
            `${KEY}.services is not used: owners store per-service policies in the portal`,
          ],
  };
}

/** The control plane's part of `tracingHealth.sampling` (see `readSamplingSettings`). */
export function readSamplingConfig(rootConfig: Config): SamplingControlConfig {
  return readSamplingSettings(rootConfig).control;
}
