import { tailPolicyRule } from '@internal/tracing-model';
import { Span } from '../otlp/model';
import { Threshold, withThreshold } from './consistent';
import type { TraceEvaluator } from './policies';
import { TraceView } from './traceData';

/** How kept spans' tracestates are rewritten: set `th`, erase it (null), or leave them. */
export const LEAVE = Symbol('leave');
export type ThresholdAction = Threshold | null | typeof LEAVE;

/** How a trace was decided. */
export interface Decision {
  sampled: boolean;
  action: ThresholdAction;
  sampler: 'head' | 'tail';
  policy: string;
  rule?: string;
  rate?: number;
  service?: string;
}

/**
 * Asks the evaluators in order (the stage's head sampler and always-keep rules, then the configured
 * policies): the first that keeps the trace decides it; otherwise it is not kept, credited to the
 * first evaluator asked.
 */
export function evaluateTrace(
  lists: readonly (readonly TraceEvaluator[])[],
  view: TraceView,
  now: number,
): Decision {
  let first: { sampler: 'head' | 'tail'; policy: string } | undefined;
  for (const list of lists) {
    for (const evaluator of list) {
      const verdict = evaluator.evaluate(view, now);
      const policy = verdict.policy ?? evaluator.name;
      if (verdict.sampled) {
        const rate = keptRate(verdict);
        return {
          sampled: true,
          action: verdict.threshold === undefined ? LEAVE : verdict.threshold,
          sampler: evaluator.sampler,
          policy,
          rule: verdict.rule ?? tailPolicyRule(evaluator.name),
          rate,
          service: verdict.service,
        };
      }
      first ??= { sampler: evaluator.sampler, policy };
    }
  }
  return {
    sampled: false,
    action: null,
    sampler: first?.sampler ?? 'tail',
    policy: first?.policy ?? 'none',
  };
}

/**
 * The probability a kept trace was kept at: the verdict's own, else its threshold's, else 1
 * (kept for another reason); undefined when none applies (`sdk`, rate limits).
 */
function keptRate(verdict: {
  rate?: number | null;
  threshold?: Threshold | null;
}): number | undefined {
  if (verdict.rate !== undefined) return verdict.rate ?? undefined;
  if (verdict.threshold) return verdict.threshold.probability;
  return verdict.threshold === null ? 1 : undefined;
}

/** Writes (or erases) `ot=th` on a kept span. */
export function applyThreshold(span: Span, action: ThresholdAction): void {
  if (action === LEAVE) return;
  const current = span.traceState ?? '';
  if (action === null && current.indexOf('ot=') === -1) return;
  const next = withThreshold(current, action);
  if (next !== current) span.traceState = next;
}

/** The same for all kept spans of a trace, which usually share one tracestate. */
export function applyThresholds(spans: Span[], action: ThresholdAction): void {
  if (action === LEAVE) return;
  let lastIn: string | undefined;
  let lastOut = '';
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    const current = span.traceState ?? '';
    if (current !== lastIn) {
      lastIn = current;
      lastOut =
        action === null && current.indexOf('ot=') === -1
          ? current
          : withThreshold(current, action);
    }
    if (lastOut !== current) span.traceState = lastOut;
  }
}
