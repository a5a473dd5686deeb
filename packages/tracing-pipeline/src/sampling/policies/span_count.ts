import { z } from 'zod';
import {
  NOT_SAMPLED,
  SAMPLED,
  defineTailPolicy,
  finite,
  policyName,
} from './kind';

const schema = z
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

/** Keeps a trace with at least `minSpans` (and at most `maxSpans`) spans. */
export const spanCount = defineTailPolicy<
  'span_count',
  z.output<typeof schema>
>({
  type: 'span_count',
  schema,
  compile(policy) {
    const { minSpans } = policy;
    const maxSpans = policy.maxSpans ?? Infinity;
    return trace =>
      trace.spanCount >= minSpans && trace.spanCount <= maxSpans
        ? SAMPLED
        : NOT_SAMPLED;
  },
  toCollector: policy => ({
    min_spans: policy.minSpans,
    ...(policy.maxSpans !== undefined && { max_spans: policy.maxSpans }),
  }),
  description:
    'Keeps a trace with at least `minSpans` spans (and at most `maxSpans`, inclusive).',
  configDoc: `minSpans: number;
maxSpans?: number;`,
});
