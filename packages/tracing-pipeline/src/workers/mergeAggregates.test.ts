import { ServiceSpanCounters, SpanMetricsSnapshot } from '../spanMetrics';
import { mergeSpanMetrics } from './mergeAggregates';

function counters(service: string, n: number): ServiceSpanCounters {
  return {
    service,
    spans: 3 * n,
    errorSpans: n,
    rootSpans: 0,
    entrySpans: n,
    orphanSpans: 0,
    completeTraces: n,
    incompleteTraces: 0,
    spansByKind: [0, 0, n, 2 * n, 0, 0],
    durationSumSeconds: n,
    durationCounts: [n, 2 * n],
    lastSeenMs: 1000 * n,
  };
}

function snapshot(services: ServiceSpanCounters[]): SpanMetricsSnapshot {
  return {
    takenAtMs: 0,
    durationBoundsSeconds: [1],
    services,
    traces: { complete: 1, incomplete: 0, tracked: 0, untracked: 0 },
  };
}

describe('mergeSpanMetrics', () => {
  it('sums the workers’ counters per service, entry spans included', () => {
    const merged = mergeSpanMetrics(
      [
        snapshot([counters('orders', 2)]),
        snapshot([counters('orders', 3), counters('billing', 1)]),
      ],
      [1],
      5,
    );
    const orders = merged.services.find(s => s.service === 'orders');
    expect(orders).toMatchObject({
      spans: 15,
      entrySpans: 5,
      rootSpans: 0,
      spansByKind: [0, 0, 5, 10, 0, 0],
      lastSeenMs: 3000,
    });
    expect(merged.services.find(s => s.service === 'billing')?.entrySpans).toBe(
      1,
    );
    expect(merged.traces.complete).toBe(2);
  });
});
