import { z } from 'zod';
import { findAttribute, numberOf } from '../traceData';
import {
  NOT_SAMPLED,
  SAMPLED,
  attributeKey,
  defineTailPolicy,
  finite,
  policyName,
} from './kind';

const schema = z
  .object({
    name: policyName,
    type: z.literal('numeric_attribute'),
    key: attributeKey,
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

/** Keeps a trace when a span (or its resource) has a numeric attribute within bounds. */
export const numericAttribute = defineTailPolicy<
  'numeric_attribute',
  z.output<typeof schema>
>({
  type: 'numeric_attribute',
  schema,
  compile(policy) {
    const { key, invertMatch } = policy;
    const min = policy.minValue ?? -Infinity;
    const max = policy.maxValue ?? Infinity;
    return trace => {
      const found = trace.some(span => {
        const v = numberOf(findAttribute(span, key));
        return v !== undefined && v >= min && v <= max;
      });
      return found !== !!invertMatch ? SAMPLED : NOT_SAMPLED;
    };
  },
  toCollector: policy => ({
    key: policy.key,
    ...(policy.minValue !== undefined && { min_value: policy.minValue }),
    ...(policy.maxValue !== undefined && { max_value: policy.maxValue }),
    ...(policy.invertMatch && { invert_match: true }),
  }),
  description:
    'Keeps a trace when a span (then its resource) has this numeric attribute within the bounds.',
  configDoc: `key: string;
/** Inclusive bounds; at least one is required. */
minValue?: number;
maxValue?: number;
/** Keeps when no span matches instead. */
invertMatch?: boolean;`,
});
