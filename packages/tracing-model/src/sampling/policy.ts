import { z } from 'zod';
import { DEFAULT_TRACING_TIER, TRACING_TIERS, TracingTier } from '../tiers';
import { SamplingValidationResult, validateWith } from './issues';
import { safeRegexProblem } from '../safeRegex';
import type { SamplingDecidingLayer } from './whyKept';

/*
 * The per-service sampling policy: what the control plane stores, what the REST API accepts,
 * what the pipeline's head sampler and the Jaeger remote-sampling endpoint serve.
 */

/** Slow traces are kept when a span lasts longer than this, unless configured otherwise. */
export const DEFAULT_KEEP_SLOWER_THAN_MS = 5000;

/** A sampling probability in [0, 1]. */
export const samplingRateSchema = z
  .number({
    required_error: 'is required',
    invalid_type_error: 'must be a number between 0 and 1',
  })
  .finite('must be a finite number')
  .min(0, 'must be between 0 and 1')
  .max(1, 'must be between 0 and 1');

const positiveRateSchema = (what: string) =>
  z
    .number({
      required_error: 'is required',
      invalid_type_error: `must be a positive number of ${what}`,
    })
    .finite('must be a finite number')
    .positive(`must be a positive number of ${what}`)
    .max(1_000_000, `must be at most 1000000 ${what}`);

export const probabilisticStrategySchema = z
  .object({
    type: z.literal('probabilistic'),
    /** The fraction of traces kept. */
    rate: samplingRateSchema,
  })
  .strict();

export const adaptiveStrategySchema = z
  .object({
    type: z.literal('adaptive'),
    /** Kept traces per second this service should produce (per pipeline replica). */
    targetTracesPerSecond: positiveRateSchema('traces per second'),
    /** The computed rate never goes below this. */
    minRate: samplingRateSchema,
    /** The computed rate never goes above this. */
    maxRate: samplingRateSchema,
  })
  .strict();

export const rateLimitingStrategySchema = z
  .object({
    type: z.literal('rate-limiting'),
    /** At most this many traces per second are kept (per pipeline replica / per SDK instance). */
    tracesPerSecond: positiveRateSchema('traces per second'),
  })
  .strict();

export const SAMPLING_STRATEGY_TYPES = [
  'probabilistic',
  'adaptive',
  'rate-limiting',
] as const;

export const samplingStrategySchema = z.discriminatedUnion(
  'type',
  [
    probabilisticStrategySchema,
    adaptiveStrategySchema,
    rateLimitingStrategySchema,
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: `must be one of ${SAMPLING_STRATEGY_TYPES.join(', ')}` }
        : { message: ctx.defaultError },
  },
);

const regexSchema = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .superRefine((pattern, ctx) => {
    const problem = safeRegexProblem(pattern);
    if (problem)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const nonEmptyString = (max: number) =>
  z
    .string({
      required_error: 'is required',
      invalid_type_error: 'must be a string',
    })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

export const OPERATION_MATCH_TYPES = [
  'span-name',
  'span-name-regex',
  'attribute',
] as const;

/** What an operation rule matches on an entry span. */
export const operationMatchSchema = z.discriminatedUnion(
  'type',
  [
    /** The span name, exactly (the Jaeger "operation"). */
    z
      .object({ type: z.literal('span-name'), name: nonEmptyString(1024) })
      .strict(),
    /**
     * The span name against an (unanchored) RE2 regular expression (linear time: no
     * back-references, no lookaround), tested on its first 4096 characters.
     */
    z
      .object({ type: z.literal('span-name-regex'), pattern: regexSchema })
      .strict(),
    /** A span attribute (or, failing that, a resource attribute) equal to a value. */
    z
      .object({
        type: z.literal('attribute'),
        key: nonEmptyString(256),
        equals: z.union(
          [z.string().max(1024), z.number().finite(), z.boolean()],
          {
            errorMap: () => ({
              message: 'must be a string, number or boolean',
            }),
          },
        ),
      })
      .strict(),
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: `must be one of ${OPERATION_MATCH_TYPES.join(', ')}` }
        : { message: ctx.defaultError },
  },
);

export const operationRuleSchema = z
  .object({
    match: operationMatchSchema,
    /** The probability applied to traces whose entry span matches. */
    rate: samplingRateSchema,
    description: z.string().max(512).optional(),
  })
  .strict();

const slowMsSchema = z
  .number({ invalid_type_error: 'must be a number of milliseconds' })
  .finite('must be a finite number')
  .positive('must be a positive number of milliseconds')
  .max(86_400_000, 'must be at most one day (86400000 ms)');

export const alwaysKeepSchema = z
  .object({
    /** Keep every trace in which a span of this service has status ERROR. */
    keepErrors: z.boolean({
      required_error: 'is required',
      invalid_type_error: 'must be true or false',
    }),
    /** Keep every trace in which a span of this service lasted longer than this. */
    keepSlowerThanMs: slowMsSchema.optional(),
  })
  .strict();

export const SAMPLING_LOCATIONS = ['pipeline', 'sdk'] as const;

const samplingLocationSchema = z.enum(SAMPLING_LOCATIONS, {
  errorMap: () => ({
    message: `must be one of ${SAMPLING_LOCATIONS.join(', ')}`,
  }),
});

const MAX_OPERATION_RULES = 200;

function checkAdaptiveBounds(
  strategy: z.infer<typeof samplingStrategySchema> | undefined,
  ctx: z.RefinementCtx,
) {
  if (strategy?.type === 'adaptive' && strategy.minRate > strategy.maxRate) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['strategy', 'minRate'],
      message: 'must not be greater than maxRate',
    });
  }
}

export const samplingPolicySchema = z
  .object({
    strategy: samplingStrategySchema,
    /** Per-operation rules; the first rule matching the trace's entry span wins. */
    operations: z
      .array(operationRuleSchema)
      .max(
        MAX_OPERATION_RULES,
        `must have at most ${MAX_OPERATION_RULES} rules`,
      )
      .default(() => []),
    alwaysKeep: alwaysKeepSchema.default(() => ({
      keepErrors: true,
      keepSlowerThanMs: DEFAULT_KEEP_SLOWER_THAN_MS,
    })),
    /**
     * Where the strategy is applied. `pipeline` (default): SDKs send every trace (they should
     * sample with `ParentBased(AlwaysOn)`, or get rate 1 from the remote-sampling endpoint) and
     * the pipeline samples. `sdk`: SDKs apply the strategy themselves (Jaeger remote sampling),
     * and the pipeline keeps what arrives instead of sampling it a second time.
     */
    samplingLocation: samplingLocationSchema.default('pipeline'),
  })
  .strict()
  .superRefine((policy, ctx) => checkAdaptiveBounds(policy.strategy, ctx));

/**
 * A partial policy layered over another (config tiers and per-service overrides). `strategy`,
 * `operations` and `samplingLocation` replace the base's; `alwaysKeep` fields replace one by one
 * (`keepSlowerThanMs: null` turns the slow rule off; so does `false`, the spelling to use in
 * app-config, whose loader drops null values).
 */
export const samplingPolicyPatchSchema = z
  .object({
    strategy: samplingStrategySchema.optional(),
    operations: z
      .array(operationRuleSchema)
      .max(
        MAX_OPERATION_RULES,
        `must have at most ${MAX_OPERATION_RULES} rules`,
      )
      .optional(),
    alwaysKeep: z
      .object({
        keepErrors: z
          .boolean({ invalid_type_error: 'must be true or false' })
          .optional(),
        keepSlowerThanMs: z.preprocess(
          value => (value === false ? null : value),
          slowMsSchema.nullable().optional(),
        ),
      })
      .strict()
      .optional(),
    samplingLocation: samplingLocationSchema.optional(),
  })
  .strict()
  .superRefine((policy, ctx) => checkAdaptiveBounds(policy.strategy, ctx));

export type ProbabilisticStrategy = z.infer<typeof probabilisticStrategySchema>;
export type AdaptiveStrategy = z.infer<typeof adaptiveStrategySchema>;
export type RateLimitingStrategy = z.infer<typeof rateLimitingStrategySchema>;
export type SamplingStrategy = z.infer<typeof samplingStrategySchema>;
export type OperationMatch = z.infer<typeof operationMatchSchema>;
export type OperationRule = z.infer<typeof operationRuleSchema>;
export type AlwaysKeepRules = z.infer<typeof alwaysKeepSchema>;
export type SamplingLocation = (typeof SAMPLING_LOCATIONS)[number];
/** A complete, validated sampling policy. */
export type SamplingPolicy = z.output<typeof samplingPolicySchema>;
/** What a client may send for a policy (defaults not yet applied). */
export type SamplingPolicyInput = z.input<typeof samplingPolicySchema>;
export type SamplingPolicyPatch = z.output<typeof samplingPolicyPatchSchema>;

/** Where an effective policy came from. */
export type SamplingPolicyOrigin = 'service' | 'tier' | 'default';

/** The policy that applies to one service, with where it came from. */
export interface EffectivePolicy extends SamplingPolicy {
  origin: SamplingPolicyOrigin;
  /** The tier whose defaults it was built on, when one was. */
  tier?: TracingTier;
  /**
   * Set when a layer above the service's own policy (an emergency override, maintenance, a
   * boost) set the strategy's or the operation rules' rates: kept traces name that layer as
   * their sampling rule.
   */
  decidedBy?: {
    strategy?: SamplingDecidingLayer;
    operations?: SamplingDecidingLayer;
  };
}

/**
 * Where sampling engines get policies. Implementations: config-backed (pipeline package), and
 * a database-backed control plane. Calls are synchronous and on the hot path: a database
 * implementation keeps a cached snapshot and refreshes it in the background.
 */
export interface SamplingPolicySource {
  /** The policy configured for a service (by name, by tier), or undefined to use the default. */
  getPolicy(serviceName: string): EffectivePolicy | undefined;
  /** The policy of services without their own. */
  getDefaultPolicy(): EffectivePolicy;
  /**
   * Changes whenever any answer of this source may have changed. Engines cache compiled
   * policies per version, so bump it on every update.
   */
  version(): number;
}

/** The always-keep rules of the tier seeds: errors and slow spans are kept. */
export const DEFAULT_ALWAYS_KEEP: Readonly<AlwaysKeepRules> = Object.freeze({
  keepErrors: true,
  keepSlowerThanMs: DEFAULT_KEEP_SLOWER_THAN_MS,
});

function seed(rate: number): SamplingPolicy {
  return {
    strategy: { type: 'probabilistic', rate },
    operations: [],
    alwaysKeep: { ...DEFAULT_ALWAYS_KEEP },
    samplingLocation: 'pipeline',
  };
}

/** The seeds of the tier defaults: critical 100%, standard 10%, high-volume 1%. */
export const TIER_DEFAULT_RATES: Readonly<Record<TracingTier, number>> =
  Object.freeze({
    critical: 1,
    standard: 0.1,
    'high-volume': 0.01,
  });

/** A fresh copy of a tier's seed policy. */
export function tierDefaultPolicy(tier: TracingTier): SamplingPolicy {
  return seed(TIER_DEFAULT_RATES[tier]);
}

/** A fresh copy of the seed used for services without a policy and without a tier. */
export function defaultSamplingPolicy(): SamplingPolicy {
  return tierDefaultPolicy(DEFAULT_TRACING_TIER);
}

export function isTracingTier(value: unknown): value is TracingTier {
  return (TRACING_TIERS as readonly unknown[]).includes(value);
}

/** Layers a patch over a policy (see `samplingPolicyPatchSchema`). Does not mutate. */
export function applySamplingPolicyPatch(
  base: SamplingPolicy,
  patch: SamplingPolicyPatch | undefined,
): SamplingPolicy {
  if (!patch) return { ...base, alwaysKeep: { ...base.alwaysKeep } };
  const alwaysKeep: AlwaysKeepRules = { ...base.alwaysKeep };
  if (patch.alwaysKeep?.keepErrors !== undefined) {
    alwaysKeep.keepErrors = patch.alwaysKeep.keepErrors;
  }
  if (patch.alwaysKeep?.keepSlowerThanMs === null) {
    delete alwaysKeep.keepSlowerThanMs;
  } else if (patch.alwaysKeep?.keepSlowerThanMs !== undefined) {
    alwaysKeep.keepSlowerThanMs = patch.alwaysKeep.keepSlowerThanMs;
  }
  return {
    strategy: patch.strategy ?? base.strategy,
    operations: patch.operations ?? base.operations,
    alwaysKeep,
    samplingLocation: patch.samplingLocation ?? base.samplingLocation,
  };
}

/**
 * Validates untrusted input (a REST body, a config value) as a complete policy, applying
 * defaults (`operations: []`, errors and >5 s spans kept, `samplingLocation: pipeline`).
 * Never throws: returns the typed policy, or every problem with its path and message.
 */
export function validateSamplingPolicy(
  input: unknown,
): SamplingValidationResult<SamplingPolicy> {
  return validateWith(samplingPolicySchema, input);
}

/** Validates a partial policy (see `samplingPolicyPatchSchema`); `prefix` is put before paths. */
export function validateSamplingPolicyPatch(
  input: unknown,
  prefix = '',
): SamplingValidationResult<SamplingPolicyPatch> {
  return validateWith(samplingPolicyPatchSchema, input, prefix);
}

/** A short human description, e.g. `probabilistic 10%` or `adaptive 50/s [0.1%..100%]`. */
export function describeStrategy(strategy: SamplingStrategy): string {
  const pct = (r: number) => `${+(r * 100).toPrecision(6)}%`;
  switch (strategy.type) {
    case 'probabilistic':
      return `probabilistic ${pct(strategy.rate)}`;
    case 'adaptive':
      return `adaptive ${strategy.targetTracesPerSecond}/s [${pct(
        strategy.minRate,
      )}..${pct(strategy.maxRate)}]`;
    case 'rate-limiting':
      return `rate-limiting ${strategy.tracesPerSecond}/s`;
    default:
      return 'unknown';
  }
}
