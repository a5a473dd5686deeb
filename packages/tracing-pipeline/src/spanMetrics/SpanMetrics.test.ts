import { Histogram, Registry } from 'prom-client';
import { SPAN_METRICS } from '@internal/tracing-model';
import { DEFAULT_DURATION_BUCKETS_SECONDS, SpanMetrics } from './SpanMetrics';
import { histogramQuantile } from './histogramQuantile';
import { batch, TestSpan } from './testSpans';

function setup(options: { maxServices?: number; maxTraces?: number } = {}) {
  let now = 1_000_000;
  const registry = new Registry();
  const metrics = new SpanMetrics({
    registry,
    clock: { now: () => now },
    completenessWindowMs: 30_000,
    ...options,
  });
  return {
    registry,
    metrics,
    at(ms: number) {
      now = 1_000_000 + ms;
    },
    service(name: string) {
      return metrics.snapshot().services.find(s => s.service === name);
    },
  };
}

async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
) {
  const metric = await registry.getSingleMetric(name)!.get();
  const found = metric.values.find(
    v =>
      (v as { metricName?: string }).metricName === undefined &&
      Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return found?.value;
}

/**
 * Four traces over three services, then one late span and a new trace:
 *   A: checkout a1 → a2 → payments a3 → a4, inventory a5 (child of a2)   complete
 *   B: checkout b1 (error), inventory b2 whose parent b9 never arrives     incomplete
 *   C: payments c2 whose parent c1 never arrives                            incomplete
 *   D: payments d2 at 10 s, its parent checkout d1 at 20 s (within 30 s)   complete
 *   at 45 s: a6 of the judged trace A (late, ignored) and new trace E.
 */
function sendFixedSet(t: ReturnType<typeof setup>) {
  t.at(0);
  t.metrics.record(
    batch({
      checkout: [
        { trace: 'A', span: 'a1', ms: 100, status: 'OK' },
        { trace: 'A', span: 'a2', parent: 'a1', kind: 'CLIENT', ms: 40 },
        { trace: 'B', span: 'b1', status: 'ERROR', ms: 2000 },
      ],
      payments: [
        { trace: 'A', span: 'a3', parent: 'a2', ms: 30 },
        {
          trace: 'A',
          span: 'a4',
          parent: 'a3',
          kind: 'INTERNAL',
          status: 'ERROR',
          ms: 3,
        },
        { trace: 'C', span: 'c2', parent: 'c1', ms: 20 },
      ],
    }),
  );
  t.at(10_000);
  t.metrics.record(
    batch({
      inventory: [
        { trace: 'A', span: 'a5', parent: 'a2', ms: 7 },
        { trace: 'B', span: 'b2', parent: 'b9', ms: 60 },
      ],
      payments: [{ trace: 'D', span: 'd2', parent: 'd1', ms: 80 }],
    }),
  );
  t.at(20_000);
  t.metrics.record(batch({ checkout: [{ trace: 'D', span: 'd1', ms: 500 }] }));
  t.at(45_000);
  t.metrics.record(
    batch({
      checkout: [
        { trace: 'A', span: 'a6', parent: 'a1', kind: 'CLIENT', ms: 10 },
        { trace: 'E', span: 'e1', ms: 250 },
      ],
    }),
  );
}

describe('SpanMetrics', () => {
  it('counts spans, errors, roots, orphans and complete traces per service', () => {
    const t = setup();
    sendFixedSet(t);

    expect(t.service('checkout')).toMatchObject({
      spans: 6,
      errorSpans: 1,
      rootSpans: 4,
      entrySpans: 4,
      orphanSpans: 0,
      completeTraces: 2,
      incompleteTraces: 1,
      lastSeenMs: 1_045_000,
    });
    expect(t.service('payments')).toMatchObject({
      spans: 4,
      errorSpans: 1,
      rootSpans: 0,
      entrySpans: 3,
      orphanSpans: 1,
      completeTraces: 2,
      incompleteTraces: 1,
      lastSeenMs: 1_010_000,
    });
    expect(t.service('inventory')).toMatchObject({
      spans: 2,
      errorSpans: 0,
      rootSpans: 0,
      entrySpans: 2,
      orphanSpans: 1,
      completeTraces: 1,
      incompleteTraces: 1,
    });
    expect(t.metrics.snapshot().traces).toEqual({
      complete: 2,
      incomplete: 2,
      tracked: 1,
      untracked: 0,
    });
  });

  it('judges a trace only when its window ends', () => {
    const t = setup();
    t.at(0);
    t.metrics.record(
      batch({ api: [{ trace: 'T', span: 'child', parent: 'root', ms: 1 }] }),
    );
    t.at(29_999);
    expect(t.service('api')).toMatchObject({
      orphanSpans: 0,
      completeTraces: 0,
      incompleteTraces: 0,
    });
    t.metrics.record(batch({ web: [{ trace: 'T', span: 'root', ms: 2 }] }));
    t.at(30_000);
    expect(t.service('api')).toMatchObject({
      orphanSpans: 0,
      completeTraces: 1,
    });

    t.metrics.record(
      batch({ api: [{ trace: 'U', span: 'child', parent: 'root', ms: 1 }] }),
    );
    t.at(60_000);
    // The parent arrives exactly at the end of the window: too late.
    t.metrics.record(batch({ web: [{ trace: 'U', span: 'root', ms: 2 }] }));
    expect(t.service('api')).toMatchObject({
      orphanSpans: 1,
      completeTraces: 1,
      incompleteTraces: 1,
    });
    expect(t.service('web')).toMatchObject({
      completeTraces: 1,
      incompleteTraces: 0,
      spans: 2,
    });
  });

  it('estimates duration quantiles from the buckets within bucket error', () => {
    const t = setup();
    const spans: TestSpan[] = [];
    // 1..100 ms, shuffled deterministically: exact p50 = 50 ms, p95 = 95 ms, p99 = 99 ms.
    for (let i = 0; i < 100; i++) {
      const ms = ((i * 37) % 100) + 1;
      spans.push({ trace: `t${i}`, span: `s${i}`, ms });
    }
    t.metrics.record(batch({ latency: spans }));
    const snap = t.metrics.snapshot();
    const counters = snap.services[0];
    const bounds = snap.durationBoundsSeconds;
    expect(counters.durationCounts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(counters.durationSumSeconds).toBeCloseTo(5.05, 9);

    for (const [q, exact] of [
      [0.5, 0.05],
      [0.95, 0.095],
      [0.99, 0.099],
    ]) {
      const estimate = histogramQuantile(q, bounds, counters.durationCounts)!;
      const upper = bounds.find(b => b >= exact)!;
      const lower = [...bounds].reverse().find(b => b < exact) ?? 0;
      expect(estimate).toBeGreaterThanOrEqual(lower);
      expect(estimate).toBeLessThanOrEqual(upper);
    }
  });

  it("exposes the duration histogram exactly as prom-client's own Histogram would", async () => {
    const t = setup();
    const spans: Record<string, TestSpan[]> = {
      checkout: [0.4, 3, 3, 80, 1200, 45_000].map((ms, i) => ({
        trace: `c${i}`,
        span: `c${i}`,
        ms,
        kind: i % 2 ? 'CLIENT' : 'SERVER',
      })),
      payments: [{ trace: 'p', span: 'p', ms: 7 }],
    };
    t.metrics.record(batch(spans));

    const reference = new Registry();
    const histogram = new Histogram({
      name: SPAN_METRICS.duration,
      help: 'Span durations per service and span kind, before sampling.',
      labelNames: ['service', 'span_kind'],
      buckets: [...DEFAULT_DURATION_BUCKETS_SECONDS],
      registers: [reference],
    });
    for (const [service, list] of Object.entries(spans)) {
      for (const s of list) {
        histogram.observe(
          { service, span_kind: `SPAN_KIND_${s.kind ?? 'SERVER'}` },
          s.ms / 1000,
        );
      }
    }
    const lines = async (r: Registry) =>
      (await r.metrics())
        .split('\n')
        .filter(line => line.startsWith(SPAN_METRICS.duration))
        .sort();
    const ours = await lines(t.registry);
    expect(ours.length).toBe(3 * (DEFAULT_DURATION_BUCKETS_SECONDS.length + 3));
    expect(ours).toEqual(await lines(reference));
  });

  it('caps the number of service series and folds the rest into __other__', async () => {
    const t = setup({ maxServices: 2 });
    t.metrics.record(
      batch({
        a: [{ trace: '1', span: '1', ms: 1 }],
        b: [{ trace: '2', span: '2', ms: 1 }],
        c: [{ trace: '3', span: '3', ms: 1 }],
        d: [
          { trace: '4', span: '4', ms: 1 },
          { trace: '5', span: '5', ms: 1 },
        ],
      }),
    );
    t.metrics.record(batch({ a: [{ trace: '6', span: '6', ms: 1 }] }));
    const snap = t.metrics.snapshot();
    expect(
      Object.fromEntries(snap.services.map(s => [s.service, s.spans])),
    ).toEqual({
      a: 2,
      b: 1,
      __other__: 3,
    });
    const spans = await t.registry.getSingleMetric(SPAN_METRICS.spans)!.get();
    expect(new Set(spans.values.map(v => v.labels.service))).toEqual(
      new Set(['a', 'b', '__other__']),
    );
  });

  it('counts overlong service names as __other__', () => {
    const t = setup();
    t.metrics.record(
      batch({ ['x'.repeat(256)]: [{ trace: '1', span: '1', ms: 1 }] }),
    );
    expect(t.metrics.snapshot().services.map(s => s.service)).toEqual([
      '__other__',
    ]);
    expect(t.metrics.lastSeenByService()).toEqual(
      new Map([['__other__', 1_000_000]]),
    );
  });

  it('stops tracking new traces at maxTraces without judging their spans as orphans', () => {
    const t = setup({ maxTraces: 1 });
    t.metrics.record(
      batch({
        api: [
          { trace: 'X', span: 'x1', ms: 1 },
          { trace: 'Y', span: 'y2', parent: 'y1', ms: 1 },
        ],
      }),
    );
    t.at(40_000);
    const snap = t.metrics.snapshot();
    expect(snap.traces).toEqual({
      complete: 1,
      incomplete: 0,
      tracked: 0,
      untracked: 1,
    });
    expect(snap.services[0].orphanSpans).toBe(0);
  });

  it('exposes the counters, the histogram and last seen on the registry', async () => {
    const t = setup();
    sendFixedSet(t);
    const r = t.registry;
    expect(
      await sample(r, SPAN_METRICS.spans, {
        service: 'checkout',
        span_kind: 'SPAN_KIND_SERVER',
        status_code: 'STATUS_CODE_ERROR',
      }),
    ).toBe(1);
    expect(
      await sample(r, SPAN_METRICS.spans, {
        service: 'checkout',
        span_kind: 'SPAN_KIND_CLIENT',
        status_code: 'STATUS_CODE_UNSET',
      }),
    ).toBe(2);
    expect(await sample(r, SPAN_METRICS.traces, { service: 'checkout' })).toBe(
      4,
    );
    expect(
      await sample(r, SPAN_METRICS.orphanSpans, { service: 'inventory' }),
    ).toBe(1);
    expect(
      await sample(r, SPAN_METRICS.tracesJudged, {
        service: 'payments',
        complete: 'false',
      }),
    ).toBe(1);
    expect(
      await sample(r, SPAN_METRICS.tracesJudged, {
        service: 'payments',
        complete: 'true',
      }),
    ).toBe(2);
    expect(
      await sample(r, SPAN_METRICS.lastSeen, { service: 'payments' }),
    ).toBe(1010);

    const text = await r.metrics();
    expect(text).toContain(
      `${SPAN_METRICS.duration}_bucket{le="0.1",service="checkout",span_kind="SPAN_KIND_SERVER"} 1`,
    );
    expect(text).toContain(
      `${SPAN_METRICS.duration}_count{service="checkout",span_kind="SPAN_KIND_SERVER"} 4`,
    );
  });

  it('treats spans without service.name as unknown_service and ignores spans without ids', () => {
    const t = setup();
    const b = batch({ x: [{ trace: 'T', span: 's', ms: 5 }] });
    b.resourceSpans[0].resource = { attributes: [] };
    b.resourceSpans[0].scopeSpans![0].spans![0].traceId = null;
    t.metrics.record(b);
    expect(t.service('unknown_service')).toMatchObject({
      spans: 1,
      rootSpans: 1,
    });
    expect(t.metrics.snapshot().traces.tracked).toBe(0);
  });
});
