// Declarations of `tracingHealth.sampling.tail.policies` (see config.d.ts), one per tail policy
// kind in packages/tracing-pipeline/src/sampling/policies. Do not edit between the markers: a
// unit test (src/sampling/collector/tailPolicyConfigDocs.test.ts) fails when they are out of step.

// BEGIN tail policies: generated from packages/tracing-pipeline/src/sampling/policies by `yarn workspace @internal/plugin-tracing-health-backend generate:config-docs`
/** Keeps every trace. */
type TailAlwaysSamplePolicyConfig = {
  name: string;
  type: 'always_sample';
};
/** Keeps a trace when any span has one of `statusCodes`. */
type TailStatusCodePolicyConfig = {
  name: string;
  type: 'status_code';
  statusCodes: Array<'UNSET' | 'OK' | 'ERROR'>;
};
/** Keeps a trace (earliest start to latest end) lasting at least this many milliseconds. */
type TailLatencyPolicyConfig = {
  name: string;
  type: 'latency';
  thresholdMs: number;
  /** Optional upper bound (exclusive): keeps only durations in [thresholdMs, upperThresholdMs). */
  upperThresholdMs?: number;
};
/** Keeps a trace when a span (then its resource) has this attribute with one of `values`. */
type TailStringAttributePolicyConfig = {
  name: string;
  type: 'string_attribute';
  key: string;
  values: string[];
  /** `values` are unanchored RE2 patterns (linear time; no lookaround or back-references). */
  regex?: boolean;
  /** Keeps when no span matches instead. */
  invertMatch?: boolean;
};
/** Keeps a trace when a span (then its resource) has this numeric attribute within the bounds. */
type TailNumericAttributePolicyConfig = {
  name: string;
  type: 'numeric_attribute';
  key: string;
  /** Inclusive bounds; at least one is required. */
  minValue?: number;
  maxValue?: number;
  /** Keeps when no span matches instead. */
  invertMatch?: boolean;
};
/** Keeps this share of traces (0 to 1), consistently with the head sampler. */
type TailProbabilisticPolicyConfig = {
  name: string;
  type: 'probabilistic';
  rate: number;
};
/** Keeps traces while this policy kept fewer than this many spans in the current second, across the portal replicas (each owner of traces keeps its share). */
type TailRateLimitingPolicyConfig = {
  name: string;
  type: 'rate_limiting';
  spansPerSecond: number;
};
/** Keeps a trace with at least `minSpans` spans (and at most `maxSpans`, inclusive). */
type TailSpanCountPolicyConfig = {
  name: string;
  type: 'span_count';
  minSpans: number;
  maxSpans?: number;
};
/** Keeps a trace when a span (then its resource) has this boolean attribute set to `value`. */
type TailBooleanAttributePolicyConfig = {
  name: string;
  type: 'boolean_attribute';
  key: string;
  value: boolean;
  /** Keeps when no span has it instead. */
  invertMatch?: boolean;
};
/** Keeps a trace only when every sub-policy keeps it (at most 20). */
type TailAndPolicyConfig = {
  name: string;
  type: 'and';
  policies: TailLeafPolicyConfig[];
};
/** Evaluates sub-policies in order; the first that keeps a trace charges its span count to its share of maxTotalSpansPerSecond, and the trace is not kept when that share is spent. */
type TailCompositePolicyConfig = {
  name: string;
  type: 'composite';
  /** Spans per second this policy keeps in total, across the portal replicas. */
  maxTotalSpansPerSecond: number;
  /** Evaluated in order; the first that keeps a trace charges its span count to its allocation. */
  policies: Array<TailLeafPolicyConfig | TailAndPolicyConfig>;
  /** Share (percent) of maxTotalSpansPerSecond per sub-policy name; the others share what is left. */
  rateAllocation?: Array<{ policy: string; percent: number }>;
};
/** A leaf tail policy (one kind per file in packages/tracing-pipeline/src/sampling/policies). */
type TailLeafPolicyConfig =
  | TailAlwaysSamplePolicyConfig
  | TailStatusCodePolicyConfig
  | TailLatencyPolicyConfig
  | TailStringAttributePolicyConfig
  | TailNumericAttributePolicyConfig
  | TailProbabilisticPolicyConfig
  | TailRateLimitingPolicyConfig
  | TailSpanCountPolicyConfig
  | TailBooleanAttributePolicyConfig;
/** A tail policy: a trace is kept when any top-level policy keeps it. */
type TailPolicyConfig =
  | TailLeafPolicyConfig
  | TailAndPolicyConfig
  | TailCompositePolicyConfig;
// END tail policies

export type { TailPolicyConfig };
