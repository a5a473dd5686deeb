import {
  compileSafeRegexOrUndefined,
  safeRegexProblem,
  type SafeRegex,
} from '@internal/tracing-model';
import { z } from 'zod';
import { findAttribute, stringOf } from '../traceData';
import {
  NOT_SAMPLED,
  SAMPLED,
  attributeKey,
  defineTailPolicy,
  policyName,
} from './kind';

const schema = z
  .object({
    name: policyName,
    type: z.literal('string_attribute'),
    /** Looked up on spans, then on their resource. */
    key: attributeKey,
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

/** Keeps a trace when a span (or its resource) has a string attribute with one of the values. */
export const stringAttribute = defineTailPolicy<
  'string_attribute',
  z.output<typeof schema>
>({
  type: 'string_attribute',
  schema,
  compile(policy) {
    const { key, invertMatch } = policy;
    let matches: (v: string) => boolean;
    if (policy.regex) {
      // RE2: linear time whatever the pattern; tests a value's first 4096 characters.
      // A stored pattern RE2 cannot run (saved before patterns were checked) matches nothing.
      const res = policy.values
        .map(v => compileSafeRegexOrUndefined(v))
        .filter((re): re is SafeRegex => re !== undefined);
      matches = v => res.some(re => re.test(v));
    } else {
      const values = new Set(policy.values);
      matches = v => values.has(v);
    }
    return trace => {
      const found = trace.some(span => {
        const v = stringOf(findAttribute(span, key));
        return v !== undefined && matches(v);
      });
      return found !== !!invertMatch ? SAMPLED : NOT_SAMPLED;
    };
  },
  toCollector: policy => ({
    key: policy.key,
    values: policy.values,
    ...(policy.regex && { enabled_regex_matching: true }),
    ...(policy.invertMatch && { invert_match: true }),
  }),
  description:
    'Keeps a trace when a span (then its resource) has this attribute with one of `values`.',
  configDoc: `key: string;
values: string[];
/** \`values\` are unanchored RE2 patterns (linear time; no lookaround or back-references). */
regex?: boolean;
/** Keeps when no span matches instead. */
invertMatch?: boolean;`,
});
