import { z } from 'zod';
import { SamplingValidationResult, validateWith } from './issues';
import { operationRuleSchema } from './operationRules';
import { samplingStrategySchema } from './strategy';

/*
 * The per-service sampling policy: what the control plane stores, what the REST API accepts,
 * what the pipeline's head sampler and the Jaeger remote-sampling endpoint serve.
 */

/** Slow traces are kept when a span lasts longer than this, unless configured otherwise. */
export const DEFAULT_KEEP_SLOWER_THAN_MS = 5000;

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

export type AlwaysKeepRules = z.infer<typeof alwaysKeepSchema>;
export type SamplingLocation = (typeof SAMPLING_LOCATIONS)[number];
/** A complete, validated sampling policy. */
export type SamplingPolicy = z.output<typeof samplingPolicySchema>;
/** What a client may send for a policy (defaults not yet applied). */
export type SamplingPolicyInput = z.input<typeof samplingPolicySchema>;
export type SamplingPolicyPatch = z.output<typeof samplingPolicyPatchSchema>;

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
