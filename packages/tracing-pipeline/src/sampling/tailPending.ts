import { SamplingMetrics } from './metrics';
import { EarlyDecisionReason } from './tailSamplerOptions';
import { BatchBuilder } from './traceData';

/** What one call (consume, tick, flush) decided, forwarded, dropped and counts, applied at its end. */
export interface Pending {
  builder: BatchBuilder;
  droppedSpans: number;
  droppedBytes: number;
  lateSampled: number;
  lateNotSampled: number;
  /** Decision counts by `sampler|policy|decision`, added to the counter once per call. */
  decisions: Map<string, number>;
  early: Map<EarlyDecisionReason, number>;
  /** Kept traces by `service|rule kind`. */
  kept: Map<string, number>;
}

export function newPending(): Pending {
  return {
    builder: new BatchBuilder(),
    droppedSpans: 0,
    droppedBytes: 0,
    lateSampled: 0,
    lateNotSampled: 0,
    decisions: new Map(),
    early: new Map(),
    kept: new Map(),
  };
}

/** Adds a call's decision, kept-trace, early-decision and late-span counts to the metrics. */
export function countDecisions(
  metrics: SamplingMetrics,
  pending: Pending,
): void {
  for (const [key, n] of pending.decisions) {
    const [sampler, policy, decision] = key.split('|');
    metrics.decisions.inc({ sampler, policy, decision }, n);
  }
  for (const [key, n] of pending.kept) {
    const bar = key.indexOf('|');
    metrics.keptTraces.inc(
      { service: key.slice(0, bar), rule: key.slice(bar + 1) },
      n,
    );
  }
  for (const [reason, n] of pending.early)
    metrics.earlyDecisions.inc({ reason }, n);
  if (pending.lateSampled > 0) {
    metrics.lateSpans.inc({ decision: 'sampled' }, pending.lateSampled);
  }
  if (pending.lateNotSampled > 0) {
    metrics.lateSpans.inc({ decision: 'not_sampled' }, pending.lateNotSampled);
  }
}
