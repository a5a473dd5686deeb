import { ServiceSpanCounters, SpanMetricsSnapshot } from './spanMetricsTypes';

export const BUCKET_MS = 60_000;

/** The rollup row key of the fleet-wide trace judgements (each trace counted once). */
export const FLEET_ROW_SERVICE = '';

/** Counts of one service over one 1-minute bucket (summed over the processes that wrote it). */
export interface RollupCounts {
  spans: number;
  errorSpans: number;
  rootSpans: number;
  /** Spans of kind SERVER or CONSUMER: requests the service received. */
  entrySpans: number;
  orphanSpans: number;
  completeTraces: number;
  incompleteTraces: number;
  durationSumSeconds: number;
  /** Spans per duration bucket (not cumulative), the last one +Inf. */
  durationCounts: number[];
  /** ms since the epoch; undefined when nothing was received in the bucket. */
  lastSeenMs?: number;
}

export interface RollupRow extends RollupCounts {
  service: string;
  bucketStartMs: number;
  instanceId: string;
}

export function emptyCounts(bucketCount: number): RollupCounts {
  return {
    spans: 0,
    errorSpans: 0,
    rootSpans: 0,
    entrySpans: 0,
    orphanSpans: 0,
    completeTraces: 0,
    incompleteTraces: 0,
    durationSumSeconds: 0,
    durationCounts: new Array(bucketCount).fill(0),
  };
}

/** Adds `b` into `a` (histograms of different shapes are not added). */
export function addCounts(a: RollupCounts, b: RollupCounts): void {
  a.spans += b.spans;
  a.errorSpans += b.errorSpans;
  a.rootSpans += b.rootSpans;
  a.entrySpans += b.entrySpans;
  a.orphanSpans += b.orphanSpans;
  a.completeTraces += b.completeTraces;
  a.incompleteTraces += b.incompleteTraces;
  a.durationSumSeconds += b.durationSumSeconds;
  if (a.durationCounts.length === b.durationCounts.length) {
    for (let i = 0; i < b.durationCounts.length; i++)
      a.durationCounts[i] += b.durationCounts[i];
  }
  if (
    b.lastSeenMs !== undefined &&
    (a.lastSeenMs === undefined || b.lastSeenMs > a.lastSeenMs)
  ) {
    a.lastSeenMs = b.lastSeenMs;
  }
}

/** What a service did between two cumulative snapshots; undefined when nothing changed. */
export function counterDelta(
  current: ServiceSpanCounters,
  previous: ServiceSpanCounters | undefined,
): RollupCounts | undefined {
  const p = previous;
  const delta: RollupCounts = {
    spans: current.spans - (p?.spans ?? 0),
    errorSpans: current.errorSpans - (p?.errorSpans ?? 0),
    rootSpans: current.rootSpans - (p?.rootSpans ?? 0),
    entrySpans: current.entrySpans - (p?.entrySpans ?? 0),
    orphanSpans: current.orphanSpans - (p?.orphanSpans ?? 0),
    completeTraces: current.completeTraces - (p?.completeTraces ?? 0),
    incompleteTraces: current.incompleteTraces - (p?.incompleteTraces ?? 0),
    durationSumSeconds:
      current.durationSumSeconds - (p?.durationSumSeconds ?? 0),
    durationCounts: current.durationCounts.map(
      (c, i) => c - (p?.durationCounts[i] ?? 0),
    ),
  };
  const seenAgain =
    current.lastSeenMs > 0 && current.lastSeenMs !== p?.lastSeenMs;
  if (seenAgain) delta.lastSeenMs = current.lastSeenMs;
  const changed =
    seenAgain ||
    delta.spans ||
    delta.orphanSpans ||
    delta.completeTraces ||
    delta.incompleteTraces;
  return changed ? delta : undefined;
}

/** Fleet-wide trace judgements between two snapshots. */
export function fleetDelta(
  current: SpanMetricsSnapshot,
  previous: SpanMetricsSnapshot | undefined,
): RollupCounts | undefined {
  const delta = emptyCounts(current.durationBoundsSeconds.length + 1);
  delta.completeTraces =
    current.traces.complete - (previous?.traces.complete ?? 0);
  delta.incompleteTraces =
    current.traces.incomplete - (previous?.traces.incomplete ?? 0);
  return delta.completeTraces || delta.incompleteTraces ? delta : undefined;
}

export function bucketStartOf(timeMs: number): number {
  return Math.floor(timeMs / BUCKET_MS) * BUCKET_MS;
}
