import type {
  ServiceGraphEdgeCounters,
  ServiceGraphSnapshot,
} from './ServiceGraph';

function addInto(into: Record<string, number>, from: Record<string, number>) {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * The service graphs of several workers as one: each worker pairs the traces it owns (sharded by
 * trace id), so the counters of an edge add up.
 */
export function mergeServiceGraphs(
  snapshots: readonly ServiceGraphSnapshot[],
  durationBoundsSeconds: readonly number[],
  now: number,
): ServiceGraphSnapshot {
  const edges = new Map<string, ServiceGraphEdgeCounters>();
  const out: ServiceGraphSnapshot = {
    takenAtMs: now,
    durationBoundsSeconds,
    edges: [],
    orphanServerSpans: {},
    unpairedClientSpans: {},
    dropped: {},
    pending: 0,
  };
  for (const s of snapshots) {
    for (const e of s.edges) {
      const key = `${e.client}\u0000${e.server}\u0000${e.connectionType}`;
      const into = edges.get(key);
      if (!into) {
        edges.set(key, { ...e, durationCounts: [...e.durationCounts] });
        continue;
      }
      into.requests += e.requests;
      into.failed += e.failed;
      into.broken += e.broken;
      into.durationSumSeconds += e.durationSumSeconds;
      if (into.durationCounts.length === e.durationCounts.length)
        e.durationCounts.forEach((n, i) => (into.durationCounts[i] += n));
    }
    addInto(out.orphanServerSpans, s.orphanServerSpans);
    addInto(out.unpairedClientSpans, s.unpairedClientSpans);
    addInto(out.dropped, s.dropped);
    out.pending += s.pending;
  }
  out.edges = [...edges.values()];
  return out;
}
