import { AccountingSnapshot } from '../telemetry/accounting';
import { ServiceSpanCounters, SpanMetricsSnapshot } from '../spanMetrics';

function addInto(into: Record<string, number>, from: Record<string, number>) {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export function emptyAccounting(): AccountingSnapshot {
  return {
    received: 0,
    accepted: 0,
    refused: 0,
    refusedByReason: {},
    dropped: 0,
    droppedByReason: {},
    exported: 0,
    restored: 0,
    inFlight: 0,
    held: { sampler: 0, batcher: 0, exporting: 0 },
    balanced: true,
  };
}

/** The sum of the workers' accounting snapshots. */
export function sumAccounting(
  snapshots: readonly AccountingSnapshot[],
): AccountingSnapshot {
  const out = emptyAccounting();
  for (const s of snapshots) {
    out.received += s.received;
    out.accepted += s.accepted;
    out.refused += s.refused;
    addInto(out.refusedByReason, s.refusedByReason);
    out.dropped += s.dropped;
    addInto(out.droppedByReason, s.droppedByReason);
    out.exported += s.exported;
    out.restored += s.restored;
    out.inFlight += s.inFlight;
    out.held.sampler += s.held.sampler;
    out.held.batcher += s.held.batcher;
    out.held.exporting += s.held.exporting;
    out.balanced &&= s.balanced;
  }
  return out;
}

function addCounters(a: ServiceSpanCounters, b: ServiceSpanCounters) {
  a.spans += b.spans;
  a.errorSpans += b.errorSpans;
  a.rootSpans += b.rootSpans;
  a.entrySpans += b.entrySpans;
  a.orphanSpans += b.orphanSpans;
  a.completeTraces += b.completeTraces;
  a.incompleteTraces += b.incompleteTraces;
  b.spansByKind.forEach(
    (n, i) => (a.spansByKind[i] = (a.spansByKind[i] ?? 0) + n),
  );
  a.durationSumSeconds += b.durationSumSeconds;
  b.durationCounts.forEach(
    (n, i) => (a.durationCounts[i] = (a.durationCounts[i] ?? 0) + n),
  );
  a.lastSeenMs = Math.max(a.lastSeenMs, b.lastSeenMs);
}

/**
 * The span metrics of all workers as one: counters per service summed, last seen the latest.
 * Each worker sees whole traces (sharded by trace id), so trace totals add up too.
 */
export function mergeSpanMetrics(
  snapshots: readonly SpanMetricsSnapshot[],
  durationBoundsSeconds: readonly number[],
  now: number,
): SpanMetricsSnapshot {
  const services = new Map<string, ServiceSpanCounters>();
  const traces = { complete: 0, incomplete: 0, tracked: 0, untracked: 0 };
  for (const s of snapshots) {
    for (const c of s.services) {
      const into = services.get(c.service);
      if (into) addCounters(into, c);
      else
        services.set(c.service, {
          ...c,
          spansByKind: [...c.spansByKind],
          durationCounts: [...c.durationCounts],
        });
    }
    traces.complete += s.traces.complete;
    traces.incomplete += s.traces.incomplete;
    traces.tracked += s.traces.tracked;
    traces.untracked += s.traces.untracked;
  }
  return {
    takenAtMs: now,
    durationBoundsSeconds,
    services: [...services.values()],
    traces,
  };
}
