import { z } from 'zod';
import { SAMPLED, defineTailPolicy, policyName } from './kind';

const schema = z
  .object({ name: policyName, type: z.literal('always_sample') })
  .strict();

/** Keeps every trace. */
export const alwaysSample = defineTailPolicy<
  'always_sample',
  z.output<typeof schema>
>({
  type: 'always_sample',
  schema,
  compile: () => () => SAMPLED,
  toCollector: () => undefined,
  description: 'Keeps every trace.',
  configDoc: '',
});
