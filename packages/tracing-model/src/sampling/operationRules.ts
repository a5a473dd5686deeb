import { z } from 'zod';
import { safeRegexProblem } from '../safeRegex';
import { samplingRateSchema } from './strategy';

/*
 * Operation rules: a rate for the traces whose entry span matches (by span name, RE2 pattern or
 * attribute); the first matching rule wins.
 */

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

export type OperationMatch = z.infer<typeof operationMatchSchema>;
export type OperationRule = z.infer<typeof operationRuleSchema>;
