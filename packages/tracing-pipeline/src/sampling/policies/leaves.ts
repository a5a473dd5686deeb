import { alwaysSample } from './always_sample';
import { booleanAttribute } from './boolean_attribute';
import { byType, collectorPolicy, kindsByType } from './dispatch';
import type { Evaluate, PolicyOf, TailPolicyContext } from './kind';
import { latency } from './latency';
import { numericAttribute } from './numeric_attribute';
import { probabilistic } from './probabilistic';
import { rateLimiting } from './rate_limiting';
import { spanCount } from './span_count';
import { statusCode } from './status_code';
import { stringAttribute } from './string_attribute';

/**
 * THE list of leaf tail policies (decided on a trace by themselves; `and` and `composite` combine
 * them). A new kind is one file in this folder (see `kind.ts`) and one line here: the zod union,
 * the evaluator and collector dispatch, and the backend's `config.d.ts` docs follow from it.
 */
export const TAIL_LEAF_POLICY_KINDS = [
  alwaysSample,
  statusCode,
  latency,
  stringAttribute,
  numericAttribute,
  probabilistic,
  rateLimiting,
  spanCount,
  booleanAttribute,
] as const;

export type TailLeafPolicy = PolicyOf<(typeof TAIL_LEAF_POLICY_KINDS)[number]>;

export const TAIL_LEAF_POLICY_TYPES = TAIL_LEAF_POLICY_KINDS.map(
  k => k.type,
) as ReadonlyArray<TailLeafPolicy['type']>;

export const tailLeafPolicySchema = byType<TailLeafPolicy>(
  TAIL_LEAF_POLICY_KINDS,
);

const leafKind = kindsByType(TAIL_LEAF_POLICY_KINDS);

/** A fresh evaluator of a validated leaf policy. */
export function compileLeaf(
  policy: TailLeafPolicy,
  context: TailPolicyContext,
): Evaluate {
  return leafKind(policy.type).compile(policy, context);
}

/** A validated leaf policy in the collector's `tail_sampling` config. */
export function leafToCollector(
  policy: TailLeafPolicy,
): Record<string, unknown> {
  return collectorPolicy(leafKind(policy.type), policy);
}
