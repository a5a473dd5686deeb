import { z } from 'zod';
import type { AnyValue } from '../../otlp/model';
import { findAttribute } from '../traceData';
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
    type: z.literal('boolean_attribute'),
    /** Looked up on spans, then on their resource. */
    key: attributeKey,
    value: z.boolean({
      required_error: 'is required',
      invalid_type_error: 'must be true or false',
    }),
    /** Keep when NO span has the value instead. */
    invertMatch: z.boolean().optional(),
  })
  .strict();

const boolOf = (value: AnyValue | undefined) =>
  typeof value?.boolValue === 'boolean' ? value.boolValue : undefined;

/**
 * Keeps a trace when a span (or its resource) has a boolean attribute with the given value, as the
 * collector's `boolean_attribute` policy does.
 */
export const booleanAttribute = defineTailPolicy<
  'boolean_attribute',
  z.output<typeof schema>
>({
  type: 'boolean_attribute',
  schema,
  compile({ key, value, invertMatch }) {
    return trace => {
      const found = trace.some(
        span => boolOf(findAttribute(span, key)) === value,
      );
      return found !== !!invertMatch ? SAMPLED : NOT_SAMPLED;
    };
  },
  toCollector: policy => ({
    key: policy.key,
    value: policy.value,
    ...(policy.invertMatch && { invert_match: true }),
  }),
  description:
    'Keeps a trace when a span (then its resource) has this boolean attribute set to `value`.',
  configDoc: `key: string;
value: boolean;
/** Keeps when no span has it instead. */
invertMatch?: boolean;`,
});
