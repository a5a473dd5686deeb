import { z } from 'zod';
import {
  DEFAULT_TRACING_TIER,
  EffectivePolicy,
  SamplingPolicy,
  SamplingPolicyPatch,
  SamplingPolicySource,
  SamplingValidationError,
  TRACING_TIERS,
  TracingTier,
  applySamplingPolicyPatch,
  isTracingTier,
  tierDefaultPolicy,
  validateSamplingPolicyPatch,
  validateWith,
} from '@internal/tracing-model';
import { type TailPolicy, validateTailPolicies } from './policies';
import type { SamplingStageOptions } from './samplingStage';

/** The validated `tracingHealth.sampling` config. */
export interface SamplingConfig {
  /** Layered over the standard tier's policy for services with no entry and no tier. */
  default?: SamplingPolicyPatch;
  /** Layered over the built-in tier seeds (critical 100%, standard 10%, high-volume 1%). */
  tiers: Partial<Record<TracingTier, SamplingPolicyPatch>>;
  /** Per `service.name`: a tier to start from and a patch over it. */
  services: Record<string, { tier?: TracingTier; patch: SamplingPolicyPatch }>;
  adaptive: {
    intervalMs?: number;
    warmupMs?: number;
    maxIncreaseFactor?: number;
    maxServices?: number;
  };
  tail: {
    enabled?: boolean;
    decisionWaitMs?: number;
    maxTraces?: number;
    maxBytes?: number;
    tickIntervalMs?: number;
    decisionCache?: { sampledSize?: number; notSampledSize?: number };
    compactHeldSpans?: boolean;
    policies: TailPolicy[];
  };
}

// Backstage config values substituted from environment variables arrive as strings.
const numeric = (v: unknown) =>
  typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
const int = (min: number) =>
  z.preprocess(
    numeric,
    z
      .number({ invalid_type_error: 'must be an integer' })
      .int('must be an integer')
      .min(min, `must be at least ${min}`),
  );
// 'true' and 'false' strings become booleans; anything else is left for zod to judge.
function booleanString(v: unknown): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}
const bool = z.preprocess(
  booleanString,
  z.boolean({ invalid_type_error: 'must be true or false' }),
);

const adaptiveSchema = z
  .object({
    intervalMs: int(100).optional(),
    warmupMs: int(1).optional(),
    maxIncreaseFactor: z
      .preprocess(
        numeric,
        z.number({ invalid_type_error: 'must be a number' }).min(1).max(100),
      )
      .optional(),
    maxServices: int(1).optional(),
  })
  .strict();

const tailSchema = z
  .object({
    enabled: bool.optional(),
    decisionWaitMs: int(0).optional(),
    maxTraces: int(1).optional(),
    maxBytes: int(1024).optional(),
    tickIntervalMs: int(0).optional(),
    compactHeldSpans: bool.optional(),
    decisionCache: z
      .object({
        sampledSize: int(0).optional(),
        notSampledSize: int(0).optional(),
      })
      .strict()
      .optional(),
    policies: z.unknown().optional(),
  })
  .strict();

const rootSchema = z
  .object({
    default: z.unknown().optional(),
    tiers: z.record(z.unknown()).optional(),
    services: z.record(z.unknown()).optional(),
    adaptive: z.unknown().optional(),
    tail: z.unknown().optional(),
  })
  .strict();

/** Thrown for invalid sampling config; `errors` has each problem with its full key path. */
export class SamplingConfigError extends Error {
  constructor(readonly errors: SamplingValidationError[]) {
    super(
      `Invalid sampling config: ${errors
        .map(e => `${e.path}: ${e.message}`)
        .join('; ')}`,
    );
    this.name = 'SamplingConfigError';
  }
}

/**
 * Validates the `tracingHealth.sampling` config subtree (a plain value, as
 * `config.getOptional('tracingHealth.sampling')` returns it). Throws `SamplingConfigError`
 * listing every problem, e.g. `tracingHealth.sampling.services.checkout.strategy.rate: must be
 * between 0 and 1`.
 */
export function parseSamplingConfig(
  raw: unknown,
  keyPrefix = 'tracingHealth.sampling',
): SamplingConfig {
  const errors: SamplingValidationError[] = [];
  const root = validateWith(rootSchema, raw ?? {}, keyPrefix);
  if (!root.success) throw new SamplingConfigError(root.errors);
  const value = root.value;
  const config: SamplingConfig = {
    tiers: {},
    services: {},
    adaptive: {},
    tail: { policies: [] },
  };

  if (value.default !== undefined) {
    const r = validateSamplingPolicyPatch(
      value.default,
      `${keyPrefix}.default`,
    );
    if (r.success) config.default = r.value;
    else errors.push(...r.errors);
  }
  for (const [tier, patch] of Object.entries(value.tiers ?? {})) {
    if (!isTracingTier(tier)) {
      errors.push({
        path: `${keyPrefix}.tiers.${tier}`,
        message: `is not a tier (tiers: ${TRACING_TIERS.join(', ')})`,
      });
      continue;
    }
    const r = validateSamplingPolicyPatch(patch, `${keyPrefix}.tiers.${tier}`);
    if (r.success) config.tiers[tier] = r.value;
    else errors.push(...r.errors);
  }
  for (const [service, entry] of Object.entries(value.services ?? {})) {
    const path = `${keyPrefix}.services.${service}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      errors.push({ path, message: 'must be an object' });
      continue;
    }
    const { tier, ...rest } = entry as Record<string, unknown>;
    if (tier !== undefined && !isTracingTier(tier)) {
      errors.push({
        path: `${path}.tier`,
        message: `must be one of ${TRACING_TIERS.join(', ')}`,
      });
    }
    const r = validateSamplingPolicyPatch(rest, path);
    if (!r.success) errors.push(...r.errors);
    else
      config.services[service] = {
        tier: tier as TracingTier | undefined,
        patch: r.value,
      };
  }
  if (value.adaptive !== undefined) {
    const r = validateWith(
      adaptiveSchema,
      value.adaptive,
      `${keyPrefix}.adaptive`,
    );
    if (r.success) config.adaptive = r.value;
    else errors.push(...r.errors);
  }
  if (value.tail !== undefined) {
    const r = validateWith(tailSchema, value.tail, `${keyPrefix}.tail`);
    if (r.success) {
      const { policies, ...rest } = r.value;
      config.tail = { ...rest, policies: [] };
      if (policies !== undefined) {
        const p = validateTailPolicies(policies, `${keyPrefix}.tail.policies`);
        if (p.success) config.tail.policies = p.value;
        else errors.push(...p.errors);
      }
    } else {
      errors.push(...r.errors);
    }
  }
  if (errors.length > 0) throw new SamplingConfigError(errors);
  return config;
}

/** The stage options the config asks for (add `policySource` and `registry`). */
export function samplingStageOptionsFromConfig(
  config: SamplingConfig,
): Pick<SamplingStageOptions, 'tail' | 'adaptive' | 'compactHeldSpans'> {
  const { compactHeldSpans, ...tail } = config.tail;
  return {
    tail,
    adaptive: { ...config.adaptive },
    ...(compactHeldSpans === undefined ? {} : { compactHeldSpans }),
  };
}

export interface ConfigSamplingPolicySourceOptions {
  /**
   * The tier of a service without a `tier` in config, e.g. from the catalog's
   * `tracing-health/tier` annotation. Call `setTierResolver` when it changes.
   */
  tierOf?: (serviceName: string) => TracingTier | undefined;
}

/**
 * Policies from config: per service (`services.<name>`, layered over its tier), else by the
 * service's tier (`tiers.<tier>` over the built-in seeds), else `getPolicy` returns undefined
 * and engines use the default (`default` over the standard tier). `update` swaps the config at
 * run time (bumping `version()`), so a config reload needs no restart.
 */
export class ConfigSamplingPolicySource implements SamplingPolicySource {
  private config: SamplingConfig;
  private tierOf?: (serviceName: string) => TracingTier | undefined;
  private currentVersion = 1;
  private tierPolicies = new Map<TracingTier, EffectivePolicy>();
  private servicePolicies = new Map<string, EffectivePolicy>();
  private defaultPolicy!: EffectivePolicy;

  constructor(
    config: SamplingConfig,
    options: ConfigSamplingPolicySourceOptions = {},
  ) {
    this.config = config;
    this.tierOf = options.tierOf;
    this.rebuild();
  }

  /** Validates raw config (see `parseSamplingConfig`) and builds a source from it. */
  static fromConfig(
    raw: unknown,
    options?: ConfigSamplingPolicySourceOptions,
  ): ConfigSamplingPolicySource {
    return new ConfigSamplingPolicySource(parseSamplingConfig(raw), options);
  }

  getPolicy(serviceName: string): EffectivePolicy | undefined {
    const own = this.servicePolicies.get(serviceName);
    if (own) return own;
    const tier = this.tierOf?.(serviceName);
    return tier ? this.tierPolicies.get(tier) : undefined;
  }

  getDefaultPolicy(): EffectivePolicy {
    return this.defaultPolicy;
  }

  version(): number {
    return this.currentVersion;
  }

  /** Replaces the config (already validated); engines pick it up on their next decision. */
  update(config: SamplingConfig): void {
    this.config = config;
    this.rebuild();
  }

  /** Tells engines to re-read policies (e.g. the answers of `tierOf` changed). */
  invalidate(): void {
    this.rebuild();
  }

  /** Replaces the tier lookup (e.g. after a catalog refresh). */
  setTierResolver(
    tierOf: ((serviceName: string) => TracingTier | undefined) | undefined,
  ): void {
    this.tierOf = tierOf;
    this.rebuild();
  }

  private rebuild(): void {
    const tierPolicy = (tier: TracingTier): SamplingPolicy =>
      applySamplingPolicyPatch(
        tierDefaultPolicy(tier),
        this.config.tiers[tier],
      );
    this.tierPolicies = new Map(
      TRACING_TIERS.map(tier => [
        tier,
        { ...tierPolicy(tier), origin: 'tier', tier } as EffectivePolicy,
      ]),
    );
    this.defaultPolicy = {
      ...applySamplingPolicyPatch(
        tierPolicy(DEFAULT_TRACING_TIER),
        this.config.default,
      ),
      origin: 'default',
    };
    this.servicePolicies = new Map();
    for (const [service, { tier: configured, patch }] of Object.entries(
      this.config.services,
    )) {
      const tier = configured ?? this.tierOf?.(service);
      const base = tier
        ? tierPolicy(tier)
        : applySamplingPolicyPatch(
            tierPolicy(DEFAULT_TRACING_TIER),
            this.config.default,
          );
      this.servicePolicies.set(service, {
        ...applySamplingPolicyPatch(base, patch),
        origin: 'service',
        ...(tier ? { tier } : {}),
      });
    }
    this.currentVersion++;
  }
}
