/*
 * Why a trace was kept: the attributes the pipeline writes on each kept trace's root span (or
 * the first span it forwards when the root is absent), and the rule labels they carry.
 */

/** Span attributes written on a kept trace's root span (or first forwarded span). */
export const SAMPLING_SPAN_ATTRIBUTES = {
  /**
   * The layer that decided to keep the trace: `error`, `slow`, `operation:<root span name>`,
   * `rate`, `rate-limit`, `sdk`, `override`, `maintenance`, `boost`, or `policy:<tail policy>`.
   */
  rule: 'tracing_health.sampling.rule',
  /**
   * The probability the trace was kept at (1 for errors, slow traces and boosts), so downstream
   * tools can weight counts by 1/rate. Absent when no fixed rate applies (rate limits, `sdk`).
   */
  rate: 'tracing_health.sampling.rate',
} as const;

/**
 * The kinds of rule, the `rule` label of the kept-traces metric (`operation:<name>` and
 * `policy:<name>` are counted as `operation` and `policy`, so the label stays bounded).
 */
export const SAMPLING_RULE_KINDS = [
  'error',
  'slow',
  'operation',
  'rate',
  'rate-limit',
  'sdk',
  'override',
  'maintenance',
  'boost',
  'policy',
] as const;
export type SamplingRuleKind = (typeof SAMPLING_RULE_KINDS)[number];

/** Layers above a service's own policy that can decide its traces' rate. */
export type SamplingDecidingLayer = 'override' | 'maintenance' | 'boost';

/** The longest operation name put in a rule label. */
export const MAX_RULE_NAME_LENGTH = 128;

/** `operation:<name>` with the name cut to `MAX_RULE_NAME_LENGTH`. */
export function operationRule(spanName: string): string {
  return `operation:${spanName.slice(0, MAX_RULE_NAME_LENGTH)}`;
}

/** `policy:<name>` for an extra tail policy. */
export function tailPolicyRule(policyName: string): string {
  return `policy:${policyName.slice(0, MAX_RULE_NAME_LENGTH)}`;
}

/** The kind of a rule label (`operation:GET /x` → `operation`); unknown labels → `policy`. */
export function ruleKindOf(rule: string): SamplingRuleKind {
  const colon = rule.indexOf(':');
  const head = colon === -1 ? rule : rule.slice(0, colon);
  return (SAMPLING_RULE_KINDS as readonly string[]).includes(head)
    ? (head as SamplingRuleKind)
    : 'policy';
}
