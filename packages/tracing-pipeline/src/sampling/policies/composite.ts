import { z } from 'zod';
import { and } from './and';
import { byType, collectorPolicy, uniqueNames } from './dispatch';
import {
  NOT_SAMPLED,
  SAMPLED,
  defineTailPolicy,
  finite,
  perSecond,
  policyName,
  type PolicyOf,
  type TailPolicyContext,
} from './kind';
import {
  TAIL_LEAF_POLICY_KINDS,
  TailLeafPolicy,
  compileLeaf,
  leafToCollector,
} from './leaves';
import { SpansPerSecondWindow } from '../rateLimiter';

type SubPolicy = TailLeafPolicy | PolicyOf<typeof and>;

const subPolicySchema = byType<SubPolicy>([...TAIL_LEAF_POLICY_KINDS, and]);

const schema = z
  .object({
    name: policyName,
    type: z.literal('composite'),
    /** Spans per second this policy keeps in total. */
    maxTotalSpansPerSecond: perSecond,
    /** Evaluated in order; the first sub-policy that keeps the trace charges its allocation. */
    policies: z
      .array(subPolicySchema)
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

const compileSub = (p: SubPolicy, context: TailPolicyContext) =>
  p.type === 'and' ? and.compile(p, context) : compileLeaf(p, context);

/**
 * Evaluates sub-policies in order; the first that keeps the trace charges its span count to its
 * per-second allocation (`percent` × `maxTotalSpansPerSecond`; unallocated sub-policies share
 * what is left, all within the total); when that allocation is spent the trace is not kept by
 * the composite. As the collector's `composite`.
 */
export const composite = defineTailPolicy<'composite', z.output<typeof schema>>(
  {
    type: 'composite',
    schema,
    compile(policy, context) {
      const total = policy.maxTotalSpansPerSecond;
      const allocated = new Map(
        policy.rateAllocation.map(a => [a.policy, a.percent]),
      );
      const allocatedPercent = [...allocated.values()].reduce(
        (a, b) => a + b,
        0,
      );
      const unallocated = policy.policies.filter(
        p => !allocated.has(p.name),
      ).length;
      const remainderEach =
        unallocated > 0 ? (100 - allocatedPercent) / unallocated : 0;
      const subs = policy.policies.map(p => ({
        evaluate: compileSub(p, context),
        window: new SpansPerSecondWindow(
          () =>
            ((allocated.get(p.name) ?? remainderEach) / 100) *
            total *
            context.share(),
        ),
      }));
      const totalWindow = new SpansPerSecondWindow(
        () => total * context.share(),
      );
      return (trace, nowMs) => {
        for (const sub of subs) {
          if (!sub.evaluate(trace, nowMs).sampled) continue;
          // Charge the sub-policy's allocation, then the total (refunding is not needed: the
          // allocations add up to at most the total, so the total only binds on rounding).
          if (
            sub.window.tryTake(trace.spanCount, nowMs) &&
            totalWindow.tryTake(trace.spanCount, nowMs)
          ) {
            return SAMPLED;
          }
          return NOT_SAMPLED;
        }
        return NOT_SAMPLED;
      };
    },
    toCollector: policy => ({
      max_total_spans_per_second: policy.maxTotalSpansPerSecond,
      policy_order: policy.policies.map(p => p.name),
      composite_sub_policy: policy.policies.map(p =>
        p.type === 'and' ? collectorPolicy(and, p) : leafToCollector(p),
      ),
      rate_allocation: policy.rateAllocation.map(a => ({
        policy: a.policy,
        percent: a.percent,
      })),
    }),
    description:
      'Evaluates sub-policies in order; the first that keeps a trace charges its span count to its share of maxTotalSpansPerSecond, and the trace is not kept when that share is spent.',
    configDoc: `/** Spans per second this policy keeps in total, across the portal replicas. */
maxTotalSpansPerSecond: number;
/** Evaluated in order; the first that keeps a trace charges its span count to its allocation. */
policies: Array<TailLeafPolicyConfig | TailAndPolicyConfig>;
/** Share (percent) of maxTotalSpansPerSecond per sub-policy name; the others share what is left. */
rateAllocation?: Array<{ policy: string; percent: number }>;`,
  },
);
