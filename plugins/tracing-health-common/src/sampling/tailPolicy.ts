import { z } from 'zod';
import { samplingRateSchema } from './policy';
import { safeRegexProblem } from '../safeRegex';
import { SamplingValidationResult, validateWith } from './issues';

/*
 * Tail-sampling policies: decided on a whole buffered trace. Names and semantics follow the
 * OpenTelemetry Collector's `tail_sampling` processor (so the control plane can render them as
 * collector config), with camelCase fields. A trace is kept when ANY top-level policy keeps it.
 */

const policyName = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must only use letters, digits and _ . : -');

const attrKey = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

const finite = (msg: string) =>
  z
    .number({ required_error: 'is required', invalid_type_error: msg })
    .finite(msg);

const perSecond = finite('must be a positive number per second')
  .positive('must be a positive number per second')
  .max(1e9, 'must be at most 1e9 per second');

export const STATUS_CODE_NAMES = ['UNSET', 'OK', 'ERROR'] as const;

const alwaysSample = z
  .object({ name: policyName, type: z.literal('always_sample') })
  .strict();

const statusCode = z
  .object({
    name: policyName,
    type: z.literal('status_code'),
    /** Keep the trace when any span has one of these status codes. */
    statusCodes: z
      .array(
        z.enum(STATUS_CODE_NAMES, {
          errorMap: () => ({
            message: `must be one of ${STATUS_CODE_NAMES.join(', ')}`,
          }),
        }),
      )
      .min(1, 'must list at least one status code'),
  })
  .strict();

const latency = z
  .object({
    name: policyName,
    type: z.literal('latency'),
    /** Keep when the trace (earliest start to latest end) lasts at least this long. */
    thresholdMs: finite('must be a number of milliseconds').min(
      0,
      'must not be negative',
    ),
    /** Optional upper bound (exclusive): keep only durations in [thresholdMs, upperThresholdMs). */
    upperThresholdMs: finite('must be a number of milliseconds')
      .positive()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (
      p.upperThresholdMs !== undefined &&
      p.upperThresholdMs <= p.thresholdMs
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['upperThresholdMs'],
        message: 'must be greater than thresholdMs',
      });
    }
  });

const stringAttribute = z
  .object({
    name: policyName,
    type: z.literal('string_attribute'),
    /** Looked up on spans, then on their resource. */
    key: attrKey,
    values: z
      .array(z.string().max(1024))
      .min(1, 'must list at least one value')
      .max(100),
    /** Treat `values` as (unanchored) RE2 regular expressions, tested on the first 4096 characters. */
    regex: z.boolean().optional(),
    /** Keep when NO span matches instead. */
    invertMatch: z.boolean().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.regex) return;
    p.values.forEach((v, i) => {
      const problem = safeRegexProblem(v);
      if (problem) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['values', i],
          message: problem,
        });
      }
    });
  });

const numericAttribute = z
  .object({
    name: policyName,
    type: z.literal('numeric_attribute'),
    key: attrKey,
    /** Inclusive bounds; at least one is required. */
    minValue: finite('must be a number').optional(),
    maxValue: finite('must be a number').optional(),
    invertMatch: z.boolean().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.minValue === undefined && p.maxValue === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['minValue'],
        message: 'minValue or maxValue is required',
      });
    }
    if (
      p.minValue !== undefined &&
      p.maxValue !== undefined &&
      p.minValue > p.maxValue
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['minValue'],
        message: 'must not be greater than maxValue',
      });
    }
  });

const probabilistic = z
  .object({
    name: policyName,
    type: z.literal('probabilistic'),
    /** Consistent with the head sampler: same trace id randomness and thresholds. */
    rate: samplingRateSchema,
  })
  .strict();

const rateLimiting = z
  .object({
    name: policyName,
    type: z.literal('rate_limiting'),
    /** Keep traces while fewer than this many spans were kept by this policy in this second. */
    spansPerSecond: perSecond,
  })
  .strict();

const spanCount = z
  .object({
    name: policyName,
    type: z.literal('span_count'),
    minSpans: finite('must be a number').int('must be an integer').min(1),
    maxSpans: finite('must be a number')
      .int('must be an integer')
      .min(1)
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.maxSpans !== undefined && p.maxSpans < p.minSpans) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['maxSpans'],
        message: 'must not be less than minSpans',
      });
    }
  });

export const TAIL_LEAF_POLICY_TYPES = [
  'always_sample',
  'status_code',
  'latency',
  'string_attribute',
  'numeric_attribute',
  'probabilistic',
  'rate_limiting',
  'span_count',
] as const;

export const TAIL_POLICY_TYPES = [
  ...TAIL_LEAF_POLICY_TYPES,
  'and',
  'composite',
] as const;

/**
 * zod's discriminatedUnion only takes plain objects; these have refinements, so dispatch on
 * `type` by hand and give one clear error for an unknown type.
 */
function byType<T extends z.ZodTypeAny>(
  types: readonly string[],
  schemas: Record<string, T>,
): z.ZodType<z.output<T>, z.ZodTypeDef, unknown> {
  return z.unknown().transform((value, ctx) => {
    const type =
      value && typeof value === 'object'
        ? (value as { type?: unknown }).type
        : undefined;
    const schema = typeof type === 'string' ? schemas[type] : undefined;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'must be an object',
      });
      return z.NEVER;
    }
    if (!schema) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['type'],
        message: `must be one of ${types.join(', ')}`,
      });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue(issue);
      return z.NEVER;
    }
    return result.data;
  }) as unknown as z.ZodType<z.output<T>, z.ZodTypeDef, unknown>;
}

const leafSchemas = {
  always_sample: alwaysSample,
  status_code: statusCode,
  latency,
  string_attribute: stringAttribute,
  numeric_attribute: numericAttribute,
  probabilistic,
  rate_limiting: rateLimiting,
  span_count: spanCount,
};

export type TailLeafPolicy =
  | z.output<typeof alwaysSample>
  | z.output<typeof statusCode>
  | z.output<typeof latency>
  | z.output<typeof stringAttribute>
  | z.output<typeof numericAttribute>
  | z.output<typeof probabilistic>
  | z.output<typeof rateLimiting>
  | z.output<typeof spanCount>;

const leafPolicySchema = byType<z.ZodType<TailLeafPolicy>>(
  TAIL_LEAF_POLICY_TYPES,
  leafSchemas as Record<string, z.ZodType<TailLeafPolicy>>,
);

function uniqueNames(
  policies: ReadonlyArray<{ name: string }>,
  ctx: z.RefinementCtx,
  pathPrefix: (string | number)[],
) {
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    if (seen.has(p.name)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [...pathPrefix, i, 'name'],
        message: `duplicates the name "${p.name}"`,
      });
    }
    seen.add(p.name);
  });
}

const andPolicy = z
  .object({
    name: policyName,
    type: z.literal('and'),
    /** Keep only when every sub-policy keeps. */
    policies: z
      .array(leafPolicySchema)
      .min(1, 'must have at least one sub-policy')
      .max(20),
  })
  .strict()
  .superRefine((p, ctx) => uniqueNames(p.policies, ctx, ['policies']));

export type TailAndPolicy = z.output<typeof andPolicy>;

const compositeSubPolicy = byType<z.ZodType<TailLeafPolicy | TailAndPolicy>>(
  [...TAIL_LEAF_POLICY_TYPES, 'and'],
  { ...leafSchemas, and: andPolicy } as Record<
    string,
    z.ZodType<TailLeafPolicy | TailAndPolicy>
  >,
);

const composite = z
  .object({
    name: policyName,
    type: z.literal('composite'),
    /** Spans per second this policy keeps in total. */
    maxTotalSpansPerSecond: perSecond,
    /** Evaluated in order; the first sub-policy that keeps the trace charges its allocation. */
    policies: z
      .array(compositeSubPolicy)
      .min(1, 'must have at least one sub-policy')
      .max(20),
    /**
     * Share of `maxTotalSpansPerSecond` per sub-policy name; sub-policies without an entry share
     * what is left. When a trace's first keeping sub-policy is out of budget, it is not kept
     * by this policy (as in the collector).
     */
    rateAllocation: z
      .array(
        z
          .object({
            policy: policyName,
            percent: finite('must be a percentage')
              .min(0, 'must be between 0 and 100')
              .max(100, 'must be between 0 and 100'),
          })
          .strict(),
      )
      .default(() => []),
  })
  .strict()
  .superRefine((p, ctx) => {
    uniqueNames(p.policies, ctx, ['policies']);
    const names = new Set(p.policies.map(s => s.name));
    let total = 0;
    p.rateAllocation.forEach((a, i) => {
      total += a.percent;
      if (!names.has(a.policy)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['rateAllocation', i, 'policy'],
          message: `names no sub-policy (have: ${[...names].join(', ')})`,
        });
      }
    });
    if (total > 100) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['rateAllocation'],
        message: `percentages add up to ${total}, more than 100`,
      });
    }
  });

export type TailCompositePolicy = z.output<typeof composite>;
export type TailPolicy = TailLeafPolicy | TailAndPolicy | TailCompositePolicy;

export const tailPolicySchema = byType<z.ZodType<TailPolicy>>(
  TAIL_POLICY_TYPES,
  {
    ...leafSchemas,
    and: andPolicy,
    composite,
  } as Record<string, z.ZodType<TailPolicy>>,
);

export const tailPoliciesSchema = z
  .array(tailPolicySchema, { invalid_type_error: 'must be a list of policies' })
  .max(100, 'must have at most 100 policies')
  .superRefine((policies, ctx) => uniqueNames(policies, ctx, []));

/** Validates a list of tail policies; never throws. */
export function validateTailPolicies(
  input: unknown,
  prefix = '',
): SamplingValidationResult<TailPolicy[]> {
  return validateWith(tailPoliciesSchema, input, prefix);
}
