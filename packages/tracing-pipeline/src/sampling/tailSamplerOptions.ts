import type { Registry } from 'prom-client';
import { SamplingMetrics } from './metrics';
import type { TailPolicy, TraceEvaluator } from './policies';
import { TraceView } from './traceData';

export interface TailSamplerOptions {
  /** How long after a trace's first span it is decided. Default 10 s; 0 decides on arrival. */
  decisionWaitMs?: number;
  /** Traces held at most; beyond it the oldest are decided early. Default 50 000. */
  maxTraces?: number;
  /** Estimated bytes held at most; beyond it the oldest are decided early. Default 128 MiB. */
  maxBytes?: number;
  /** Sizes of the caches by which late spans follow their trace's decision. */
  decisionCache?: { sampledSize?: number; notSampledSize?: number };
  /** Configured tail policies (validated with `validateTailPolicies`). */
  policies?: TailPolicy[];
  /**
   * This sampler's share of the fleet's traces (see TailPolicyContext): per-second limits of the
   * policies are the fleet's. Default 1.
   */
  share?: () => number;
  /**
   * Evaluated before `policies`, in order; the stage puts the head sampler and the always-keep
   * rules here. The first evaluator or policy that keeps a trace decides it.
   */
  evaluators?: TraceEvaluator[];
  /** Milliseconds clock; injected for tests. Default `Date.now`. */
  clock?: () => number;
  /** How often a timer calls `tick()`. Default 1000; 0 for no timer (call `tick` yourself). */
  tickIntervalMs?: number;
  registry?: Registry;
  metrics?: SamplingMetrics;
  /** The `drop` reason of traces not kept. Default `sampling`. */
  dropReason?: string;
  /** Called with errors thrown while deciding on the timer (e.g. by `outputs.forward`). */
  onError?: (error: unknown) => void;
  /**
   * Hold buffered spans as their protobuf bytes (default true) rather than as decoded objects,
   * which take about five times the memory. Kept spans are decoded again when forwarded, and
   * any span when a policy reads its attributes; values are unchanged.
   */
  compactHeldSpans?: boolean;
  /**
   * Write why each kept trace was kept on its root span (or first span): see `annotateKeptSpan`.
   * Default false; the sampling stage turns it on.
   */
  annotateKept?: boolean;
  /** Called once per decided trace, before its spans are forwarded (e.g. trace digests). */
  onDecided?: (trace: TraceView, outcome: DecisionOutcome) => void;
}

/** What `onDecided` is told about a trace. */
export interface DecisionOutcome {
  sampled: boolean;
  /** The rule label (kept traces only). */
  rule?: string;
  /** The probability it was kept at, when one applies (kept traces only). */
  rate?: number;
  /** Index (in `trace.spans()`) of the root span, or of the first span when the root is absent. */
  rootIndex: number;
}

/** Why traces are decided before their wait is over. */
export type EarlyDecisionReason = 'max_traces' | 'max_bytes' | 'flush';
