import {
  type TailPolicy,
  type TailPolicyContext,
  type TraceEvaluator,
  compileTailPolicyEvaluate,
} from './policies';

/**
 * Compiles a validated tail policy into an evaluator labelled with its name. Each kind's semantics
 * live in its own file under `policies/` and follow the collector's `tail_sampling`: `and` keeps
 * when every sub-policy keeps; `composite` evaluates sub-policies in order and the first that
 * keeps the trace charges its span count to its per-second allocation; `probabilistic` is
 * consistent with the head sampler and writes `th` when it keeps.
 */
export function compileTailPolicy(
  policy: TailPolicy,
  context?: TailPolicyContext,
): TraceEvaluator {
  return {
    name: policy.name,
    sampler: 'tail',
    evaluate: compileTailPolicyEvaluate(policy, context),
  };
}
