import { z } from 'zod';
import { uniqueNames } from './dispatch';
import { NOT_SAMPLED, SAMPLED, defineTailPolicy, policyName } from './kind';
import { compileLeaf, leafToCollector, tailLeafPolicySchema } from './leaves';

const schema = z
  .object({
    name: policyName,
    type: z.literal('and'),
    /** Keep only when every sub-policy keeps. */
    policies: z
      .array(tailLeafPolicySchema)
      .min(1, 'must have at least one sub-policy')
      .max(20),
  })
  .strict()
  .superRefine((p, ctx) => uniqueNames(p.policies, ctx, ['policies']));

/** Keeps a trace only when every (leaf) sub-policy keeps it, as the collector's `and`. */
export const and = defineTailPolicy<'and', z.output<typeof schema>>({
  type: 'and',
  schema,
  compile(policy, context) {
    const subs = policy.policies.map(p => compileLeaf(p, context));
    return (trace, nowMs) => {
      for (const sub of subs)
        if (!sub(trace, nowMs).sampled) return NOT_SAMPLED;
      return SAMPLED;
    };
  },
  toCollector: policy => ({
    and_sub_policy: policy.policies.map(leafToCollector),
  }),
  description:
    'Keeps a trace only when every sub-policy keeps it (at most 20).',
  configDoc: `policies: TailLeafPolicyConfig[];`,
});
