import {
  compileSafeRegexOrUndefined,
  operationRule,
  type EffectivePolicy,
  type OperationMatch,
} from '@internal/tracing-model';
import { SpanView, attributeEquals, findAttribute } from './traceData';

// A service's sampling policy prepared for the hot path, and what it says of a trace: the head
// rate by its root (or entry) span, and whether the always-keep rules keep it. The head sampler and
// the preview both decide with these.

/** Why the always-keep rules keep a trace. */
export type AlwaysKeepReason = 'keep-errors' | 'keep-slow';

/** What an operation rule and the always-keep rules read of a span. */
export type RuleSubject = Pick<SpanView, 'name' | 'attribute' | 'origin'>;

interface CompiledRule {
  test(span: RuleSubject): boolean;
  rate: number;
}

/** A policy prepared for the hot path. */
export interface CompiledPolicy {
  readonly policy: EffectivePolicy;
  readonly rules: readonly CompiledRule[];
  readonly keepErrors: boolean;
  /** Spans longer than this (ns) keep their trace; Infinity when off. */
  readonly slowNs: number;
}

/**
 * The head rate a policy gives a trace by its root (or entry) span: the first operation rule
 * that matches, else the strategy (`strategyRate`: its probability, or the adaptive rate), with
 * the rule label a kept trace carries. The sampler and the preview both decide with this.
 */
export function headRateOf(
  compiled: CompiledPolicy,
  span: RuleSubject,
  strategyRate: number,
): { rate: number; operation: boolean; rule: string } {
  const decidedBy = compiled.policy.decidedBy;
  for (const rule of compiled.rules) {
    if (rule.test(span)) {
      return {
        rate: rule.rate,
        operation: true,
        rule: decidedBy?.operations ?? operationRule(span.name),
      };
    }
  }
  return {
    rate: strategyRate,
    operation: false,
    rule: decidedBy?.strategy ?? 'rate',
  };
}

/** Whether a span keeps its trace under its service's always-keep rules (see `alwaysKeep`). */
export function alwaysKeepReasonOf(
  compiled: CompiledPolicy,
  statusCode: number,
  durationNs: number,
): AlwaysKeepReason | undefined {
  if (compiled.keepErrors && statusCode === 2) return 'keep-errors';
  if (compiled.slowNs !== Infinity && durationNs > compiled.slowNs)
    return 'keep-slow';
  return undefined;
}

/** The rule label of an always-keep reason. */
export function alwaysKeepRule(reason: AlwaysKeepReason): 'error' | 'slow' {
  return reason === 'keep-errors' ? 'error' : 'slow';
}

function compileMatch(match: OperationMatch): CompiledRule['test'] {
  switch (match.type) {
    case 'span-name':
      return span => span.name === match.name;
    case 'span-name-regex': {
      // RE2: linear time whatever the pattern; tests the name's first 4096 characters.
      // A stored pattern RE2 cannot run (saved before patterns were checked) matches nothing.
      const re = compileSafeRegexOrUndefined(match.pattern);
      if (!re) return () => false;
      return span => re.test(span.name);
    }
    case 'attribute':
      return span =>
        attributeEquals(findAttribute(span, match.key), match.equals);
    default:
      return () => false;
  }
}

/** Prepares a policy for the hot path: operation rules compiled to tests, the slow bound in ns. */
export function compilePolicy(policy: EffectivePolicy): CompiledPolicy {
  return {
    policy,
    rules: policy.operations.map(rule => ({
      test: compileMatch(rule.match),
      rate: rule.rate,
    })),
    keepErrors: policy.alwaysKeep.keepErrors,
    slowNs:
      policy.alwaysKeep.keepSlowerThanMs === undefined
        ? Infinity
        : policy.alwaysKeep.keepSlowerThanMs * 1e6,
  };
}
