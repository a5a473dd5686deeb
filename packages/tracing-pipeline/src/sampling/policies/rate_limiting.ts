import { z } from 'zod';
import { SpansPerSecondWindow } from '../rateLimiter';
import {
  NOT_SAMPLED,
  SAMPLED,
  defineTailPolicy,
  perSecond,
  policyName,
} from './kind';

const schema = z
  .object({
    name: policyName,
    type: z.literal('rate_limiting'),
    /** Keep traces while fewer than this many spans were kept by this policy in this second. */
    spansPerSecond: perSecond,
  })
  .strict();

/**
 * Keeps traces while this policy kept fewer than `spansPerSecond` spans in the current second,
 * across the fleet: each owner of traces keeps its share of the limit.
 */
export const rateLimiting = defineTailPolicy<
  'rate_limiting',
  z.output<typeof schema>
>({
  type: 'rate_limiting',
  schema,
  compile(policy, context) {
    const window = new SpansPerSecondWindow(
      () => policy.spansPerSecond * context.share(),
    );
    return (trace, nowMs) =>
      window.tryTake(trace.spanCount, nowMs) ? SAMPLED : NOT_SAMPLED;
  },
  toCollector: policy => ({ spans_per_second: policy.spansPerSecond }),
  description:
    'Keeps traces while this policy kept fewer than this many spans in the current second, across the portal replicas (each owner of traces keeps its share).',
  configDoc: `spansPerSecond: number;`,
});
