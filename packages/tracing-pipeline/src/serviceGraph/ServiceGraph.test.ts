import { Registry } from 'prom-client';
import { SERVICE_GRAPH_METRICS } from '@internal/tracing-model';
import { KeyValue, SpanBatch } from '../otlp/model';
import { span, TestSpan } from '../spanMetrics/testSpans';
import { ServiceGraph, ServiceGraphSnapshot } from './ServiceGraph';
import { mergeServiceGraphs } from './mergeServiceGraphs';
import { pairKey } from './pairKey';

type GraphSpan = TestSpan & { attrs?: Record<string, string | number> };

function attributes(attrs: Record<string, string | number> = {}): KeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'number' ? { intValue: v } : { stringValue: v },
  }));
}

function batch(byService: Record<string, GraphSpan[]>): SpanBatch {
  const resourceSpans = Object.entries(byService).map(([service, spans]) => ({
    resource: {
      attributes: [{ key: 'service.name', value: { stringValue: service } }],
    },
    scopeSpans: [
      {
        scope: { name: 'test' },
        spans: spans.map(s => ({
          ...span(s),
          attributes: attributes(s.attrs),
        })),
      },
    ],
  }));
  const spanCount = Object.values(byService).reduce((n, s) => n + s.length, 0);
  return { resourceSpans, spanCount, bytes: spanCount * 100 };
}

function setup(options: { maxPending?: number; maxEdges?: number } = {}) {
  let now = 1_000_000;
  const registry = new Registry();
  const graph = new ServiceGraph({
    registry,
    clock: { now: () => now },
    waitMs: 10_000,
    ...options,
  });
  return {
    graph,
    registry,
    advance(ms: number) {
      now += ms;
    },
  };
}

function edge(s: ServiceGraphSnapshot, client: string, server: string) {
  return s.edges.filter(e => e.client === client && e.server === server);
}

describe('ServiceGraph', () => {
  it('pairs a client span with its server span in another service, in either order', () => {
    const { graph } = setup();
    // Client first.
    graph.record(
      batch({
        frontend: [
          { trace: 'T1', span: 'root', ms: 50 },
          { trace: 'T1', span: 'c1', parent: 'root', kind: 'CLIENT', ms: 40 },
        ],
      }),
    );
    graph.record(
      batch({ orders: [{ trace: 'T1', span: 's1', parent: 'c1', ms: 30 }] }),
    );
    // Server first, client in a later batch (out of order).
    graph.record(
      batch({
        orders: [
          { trace: 'T2', span: 's2', parent: 'c2', ms: 3, status: 'ERROR' },
        ],
      }),
    );
    graph.record(
      batch({
        frontend: [{ trace: 'T2', span: 'c2', kind: 'CLIENT', ms: 5 }],
      }),
    );
    const s = graph.snapshot();
    expect(edge(s, 'frontend', 'orders')).toEqual([
      expect.objectContaining({
        connectionType: '',
        requests: 2,
        failed: 1,
        broken: 0,
      }),
    ]);
    const [e] = edge(s, 'frontend', 'orders');
    // 30 ms and 3 ms server durations: buckets 0.05 and 0.005.
    expect(e.durationSumSeconds).toBeCloseTo(0.033, 9);
    expect(e.durationCounts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(s.pending).toBe(0);
  });

  it('names an expired client span to a traced service as broken propagation, and to an untraced peer as a virtual node', () => {
    const { graph, advance } = setup();
    graph.record(
      batch({
        // inventory is traced: it sends spans (its own traces).
        inventory: [{ trace: 'I', span: 'i1', ms: 2 }],
        checkout: [
          {
            trace: 'T1',
            span: 'c1',
            kind: 'CLIENT',
            ms: 8,
            attrs: { 'peer.service': 'inventory' },
          },
          {
            trace: 'T2',
            span: 'c2',
            kind: 'CLIENT',
            ms: 120,
            status: 'ERROR',
            attrs: {
              'peer.service': 'payments-legacy',
              'server.address': 'pay.internal',
            },
          },
          {
            trace: 'T3',
            span: 'c3',
            kind: 'CLIENT',
            ms: 2,
            attrs: { 'db.system': 'postgresql', 'db.name': 'orders' },
          },
          { trace: 'T4', span: 'c4', kind: 'CLIENT', ms: 1 },
        ],
      }),
    );
    advance(9_999);
    expect(graph.snapshot().edges).toEqual([]);
    advance(1);
    const s = graph.snapshot();
    expect(edge(s, 'checkout', 'inventory')).toEqual([
      expect.objectContaining({ connectionType: '', requests: 0, broken: 1 }),
    ]);
    expect(edge(s, 'checkout', 'payments-legacy')).toEqual([
      expect.objectContaining({
        connectionType: 'virtual_node',
        requests: 1,
        failed: 1,
        broken: 0,
      }),
    ]);
    expect(edge(s, 'checkout', 'postgresql/orders')).toEqual([
      expect.objectContaining({ connectionType: 'virtual_node', requests: 1 }),
    ]);
    expect(s.unpairedClientSpans).toEqual({ checkout: 1 });
    expect(s.pending).toBe(0);
  });

  it('recognises a traced server by the endpoint it answers on when the call never joins its trace', () => {
    const { graph, advance } = setup();
    graph.record(
      batch({
        // billing does not extract the context: its server spans start their own traces.
        billing: [
          {
            trace: 'B1',
            span: 'b1',
            ms: 4,
            attrs: { 'server.address': '10.0.0.7', 'server.port': 8080 },
          },
        ],
        api: [
          {
            trace: 'T1',
            span: 'c1',
            kind: 'CLIENT',
            ms: 5,
            attrs: { 'server.address': '10.0.0.7', 'server.port': 8080 },
          },
          {
            trace: 'T2',
            span: 'c2',
            kind: 'CLIENT',
            ms: 5,
            attrs: { 'server.address': '10.0.0.9', 'server.port': 8080 },
          },
        ],
      }),
    );
    advance(10_000);
    const s = graph.snapshot();
    expect(edge(s, 'api', 'billing')).toEqual([
      expect.objectContaining({ broken: 1, requests: 0 }),
    ]);
    expect(edge(s, 'api', '10.0.0.9')).toEqual([
      expect.objectContaining({ connectionType: 'virtual_node', requests: 1 }),
    ]);
  });

  it('learns endpoints from paired calls, and forgets an endpoint several services answer on', () => {
    const { graph, advance } = setup();
    const call = (trace: string, address: string) => ({
      trace,
      span: `c${trace}`,
      kind: 'CLIENT' as const,
      ms: 1,
      attrs: { 'server.address': address, 'server.port': 443 },
    });
    graph.record(
      batch({
        web: [
          call('P1', 'svc-a'),
          call('P2', 'gateway'),
          call('P3', 'gateway'),
        ],
        a: [
          { trace: 'P1', span: 's1', parent: 'cP1', ms: 1 },
          { trace: 'P2', span: 's2', parent: 'cP2', ms: 1 },
        ],
        b: [{ trace: 'P3', span: 's3', parent: 'cP3', ms: 1 }],
      }),
    );
    graph.record(batch({ web: [call('X1', 'svc-a'), call('X2', 'gateway')] }));
    advance(10_000);
    const s = graph.snapshot();
    expect(edge(s, 'web', 'a').map(e => [e.requests, e.broken])).toEqual([
      [2, 1],
    ]);
    expect(edge(s, 'web', 'gateway')).toEqual([
      expect.objectContaining({ connectionType: 'virtual_node', requests: 1 }),
    ]);
  });

  it('counts server spans whose remote parent never arrives as orphan server spans', () => {
    const { graph, advance } = setup();
    graph.record(
      batch({
        ledger: [
          { trace: 'T1', span: 's1', parent: 'gone', ms: 1 },
          { trace: 'T1', span: 'in1', parent: 's1', kind: 'INTERNAL', ms: 1 },
        ],
      }),
    );
    advance(10_000);
    const s = graph.snapshot();
    expect(s.orphanServerSpans).toEqual({ ledger: 1 });
    expect(s.edges).toEqual([]);
  });

  it('pairs producers with consumers, including several consumers of one message', () => {
    const { graph, advance } = setup();
    graph.record(
      batch({
        shipping: [
          { trace: 'M', span: 'k1', parent: 'p1', kind: 'CONSUMER', ms: 2 },
        ],
      }),
    );
    graph.record(
      batch({
        orders: [
          {
            trace: 'M',
            span: 'p1',
            kind: 'PRODUCER',
            ms: 1,
            attrs: {
              'messaging.system': 'kafka',
              'messaging.destination.name': 'orders',
            },
          },
        ],
      }),
    );
    graph.record(
      batch({
        email: [
          { trace: 'M', span: 'k2', parent: 'p1', kind: 'CONSUMER', ms: 2 },
        ],
        // A producer whose message nobody consumed (yet): a virtual node named from the system.
        billing: [
          {
            trace: 'N',
            span: 'p2',
            kind: 'PRODUCER',
            ms: 1,
            attrs: {
              'messaging.system': 'kafka',
              'messaging.destination.name': 'invoices',
            },
          },
        ],
      }),
    );
    advance(10_000);
    const s = graph.snapshot();
    expect(edge(s, 'orders', 'shipping')).toEqual([
      expect.objectContaining({
        connectionType: 'messaging_system',
        requests: 1,
      }),
    ]);
    expect(edge(s, 'orders', 'email')).toEqual([
      expect.objectContaining({
        connectionType: 'messaging_system',
        requests: 1,
      }),
    ]);
    expect(edge(s, 'billing', 'kafka/invoices')).toEqual([
      expect.objectContaining({ connectionType: 'virtual_node', requests: 1 }),
    ]);
    expect(s.orphanServerSpans).toEqual({});
  });

  it('draws no edge for a client span that has a local child, and none for calls inside one service', () => {
    const { graph, advance } = setup();
    graph.record(
      batch({
        api: [
          // An ORM's client span around the driver's client span: the inner one is the call.
          {
            trace: 'T',
            span: 'orm',
            kind: 'CLIENT',
            ms: 3,
            attrs: { 'db.system': 'postgresql' },
          },
          {
            trace: 'T',
            span: 'drv',
            parent: 'orm',
            kind: 'CLIENT',
            ms: 2,
            attrs: { 'db.system': 'postgresql' },
          },
        ],
      }),
    );
    advance(10_000);
    const s = graph.snapshot();
    expect(edge(s, 'api', 'postgresql')).toEqual([
      expect.objectContaining({ requests: 1 }),
    ]);
  });

  it('keeps its memory bounded under a flood of unique ids and edges', () => {
    const { graph, advance } = setup({ maxPending: 100, maxEdges: 5 });
    const spans: GraphSpan[] = [];
    for (let i = 0; i < 5_000; i++)
      spans.push({
        trace: `t${i}`,
        span: `c${i}`,
        kind: 'CLIENT',
        ms: 1,
        attrs: { 'peer.service': `peer-${i}` },
      });
    graph.record(batch({ flood: spans }));
    let s = graph.snapshot();
    expect(s.pending).toBe(100);
    expect(s.dropped.store_full).toBe(4_900);
    advance(10_000);
    s = graph.snapshot();
    expect(s.pending).toBe(0);
    expect(s.edges).toHaveLength(5);
    expect(s.dropped.max_edges).toBe(95);
  });

  it('exposes the edges as Prometheus series with the Tempo-style names', async () => {
    const { graph, registry, advance } = setup();
    graph.record(
      batch({
        web: [
          { trace: 'T1', span: 'c1', kind: 'CLIENT', ms: 5 },
          {
            trace: 'T2',
            span: 'c2',
            kind: 'CLIENT',
            ms: 5,
            attrs: { 'peer.service': 'legacy' },
          },
        ],
        api: [
          { trace: 'T1', span: 's1', parent: 'c1', ms: 4, status: 'ERROR' },
        ],
      }),
    );
    advance(10_000);
    const text = await registry.metrics();
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.requests}{client="web",server="api",connection_type=""} 1`,
    );
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.failedRequests}{client="web",server="api",connection_type=""} 1`,
    );
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.requests}{client="web",server="legacy",connection_type="virtual_node"} 1`,
    );
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.serverSeconds}_bucket{le="0.005",client="web",server="api",connection_type=""} 1`,
    );
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.serverSeconds}_count{client="web",server="api",connection_type=""} 1`,
    );
  });

  it('merges the snapshots of several workers edge by edge', () => {
    const a = setup();
    const b = setup();
    a.graph.record(
      batch({
        web: [{ trace: 'A', span: 'c', kind: 'CLIENT', ms: 1 }],
        api: [{ trace: 'A', span: 's', parent: 'c', ms: 1 }],
      }),
    );
    b.graph.record(
      batch({
        web: [{ trace: 'B', span: 'c', kind: 'CLIENT', ms: 1 }],
        api: [{ trace: 'B', span: 's', parent: 'c', ms: 1, status: 'ERROR' }],
      }),
    );
    b.graph.record(
      batch({ api: [{ trace: 'C', span: 's', parent: 'x', ms: 1 }] }),
    );
    b.advance(10_000);
    const merged = mergeServiceGraphs(
      [a.graph.snapshot(), b.graph.snapshot()],
      a.graph.snapshot().durationBoundsSeconds,
      0,
    );
    expect(merged.edges).toEqual([
      expect.objectContaining({
        client: 'web',
        server: 'api',
        requests: 2,
        failed: 1,
      }),
    ]);
    expect(merged.orphanServerSpans).toEqual({ api: 1 });
  });
});

describe('pairKey', () => {
  it('keeps usual and unusual id lengths apart', () => {
    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    const keys = [
      pairKey(bytes(16, 0), bytes(8, 0)),
      pairKey(bytes(10, 0), bytes(8, 0)),
      pairKey(bytes(16, 1), bytes(8, 0)),
      pairKey(bytes(16, 0), bytes(8, 1)),
      pairKey(bytes(8, 0), bytes(8, 0)),
      pairKey(bytes(4, 0), bytes(12, 0)),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // A 12-byte trace id with an 8-byte span id spells 12 units, as the usual form of this pair does.
    const lookalike = new Uint8Array(16);
    lookalike[1] = 12;
    lookalike[15] = 8;
    expect(pairKey(bytes(12, 0), bytes(8, 0))).not.toBe(
      pairKey(lookalike, bytes(8, 0)),
    );
  });
});
