/* eslint-disable no-console */
/**
 * Part of `yarn bench:coverage`: the cost of the service graph on the ingest path. OTLP protobuf
 * decode → SpanBatch alone, with SpanMetrics.record, and with SpanMetrics.record plus
 * ServiceGraph.record, interleaved in the same run. Traces cross 5 services (SERVER → CLIENT →
 * SERVER ...), each service's spans in its own resource; one call in ten goes to an untraced
 * peer (a virtual node), and requests carry the spans of a trace in two halves, so half the
 * pairs wait in the store for the next request.
 */
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import {
  ExportTraceServiceRequestCodec,
  ServiceGraph,
  SpanBatch,
  SpanMetrics,
} from '@internal/tracing-pipeline';

function median(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function benchServiceGraph() {
  const SERVICES = 50;
  const HOPS = 5;
  const REQUESTS = 2_000;
  const TRACES_PER_REQUEST = 5;
  const id = (n: number, bytes: number) => {
    const b = Buffer.alloc(bytes);
    b.writeUInt32BE(n >>> 0, bytes - 4);
    b.writeUInt32BE(Math.floor(n / 2 ** 32), bytes - 8);
    return new Uint8Array(b);
  };
  let spanSeq = 1;
  let traceSeq = 1;
  const start = Date.now() * 1_000_000;
  // Each trace: service k serves (SERVER) and calls service k+1 (CLIENT), HOPS services deep.
  type Spans = Map<string, any[]>;
  const traceSpans = (): Spans => {
    const byService: Spans = new Map();
    const traceId = id(traceSeq++, 16);
    const first = traceSeq % SERVICES;
    let parent: Uint8Array | undefined;
    for (let hop = 0; hop < HOPS; hop++) {
      const service = `service-${(first + hop) % SERVICES}`;
      const spans = byService.get(service) ?? [];
      byService.set(service, spans);
      const serverId = id(spanSeq++, 8);
      spans.push({
        traceId,
        spanId: serverId,
        parentSpanId: parent,
        name: 'GET /items',
        kind: 2,
        startTimeUnixNano: start + hop,
        endTimeUnixNano: start + 20_000_000 - hop * 1_000_000,
        attributes: [{ key: 'http.route', value: { stringValue: '/items' } }],
        status: { code: hop === 3 && traceSeq % 20 === 0 ? 2 : 0 },
      });
      if (hop === HOPS - 1) break;
      const untraced = traceSeq % 10 === 0 && hop === 1;
      const clientId = id(spanSeq++, 8);
      spans.push({
        traceId,
        spanId: clientId,
        parentSpanId: serverId,
        name: 'GET',
        kind: 3,
        startTimeUnixNano: start + hop + 1,
        endTimeUnixNano: start + 19_000_000 - hop * 1_000_000,
        attributes: [
          {
            key: 'server.address',
            value: {
              stringValue: untraced
                ? 'legacy.internal'
                : `service-${(first + hop + 1) % SERVICES}`,
            },
          },
          { key: 'server.port', value: { intValue: 8080 } },
          ...(untraced
            ? [{ key: 'peer.service', value: { stringValue: 'legacy' } }]
            : []),
        ],
        status: { code: 0 },
      });
      if (untraced) break;
      parent = clientId;
    }
    return byService;
  };
  const encode = (byService: Spans) =>
    ExportTraceServiceRequestCodec.encode(
      ExportTraceServiceRequestCodec.fromObject({
        resourceSpans: [...byService].map(([service, spans]) => ({
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: service } },
            ],
          },
          scopeSpans: [{ scope: { name: 'bench' }, spans }],
        })),
      }),
    ).finish();
  // Each request: the first half of these traces' services and the second half of the previous ones'.
  const requests: Uint8Array[] = [];
  let carried: Spans = new Map();
  let spansPerPass = 0;
  for (let r = 0; r < REQUESTS; r++) {
    const now: Spans = new Map(carried);
    carried = new Map();
    for (let t = 0; t < TRACES_PER_REQUEST; t++) {
      const entries = [...traceSpans()];
      for (let i = 0; i < entries.length; i++) {
        const [service, spans] = entries[i];
        spansPerPass += spans.length;
        const into = i < entries.length / 2 ? now : carried;
        into.set(service, [...(into.get(service) ?? []), ...spans]);
      }
    }
    requests.push(encode(now));
  }
  requests.push(encode(carried));

  let simulatedNow = Date.now();
  const clock = { now: () => simulatedNow };
  const metrics = new SpanMetrics({ registry: new Registry(), clock });
  const graph = new ServiceGraph({ registry: new Registry(), clock });
  const decode = (buffer: Uint8Array): SpanBatch => ({
    resourceSpans:
      ExportTraceServiceRequestCodec.decode(buffer).resourceSpans ?? [],
    spanCount: 0,
    bytes: buffer.length,
  });
  const pass = (mode: 'bare' | 'metrics' | 'graph') => {
    const t = performance.now();
    for (const buffer of requests) {
      const batch = decode(buffer);
      // 20 simulated ms per request: halves expire continuously, as under steady load.
      simulatedNow += 20;
      if (mode !== 'bare') metrics.record(batch);
      if (mode === 'graph') graph.record(batch);
    }
    return spansPerPass / ((performance.now() - t) / 1000);
  };
  const modes = ['bare', 'metrics', 'graph'] as const;
  modes.forEach(pass);
  const rates: Record<(typeof modes)[number], number[]> = {
    bare: [],
    metrics: [],
    graph: [],
  };
  for (let round = 0; round < 7; round++)
    for (const m of modes) rates[m].push(pass(m));
  const decoded = requests.map(decode);
  const alone: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    for (const batch of decoded) {
      simulatedNow += 20;
      graph.record(batch);
    }
    alone.push(spansPerPass / ((performance.now() - t) / 1000));
  }
  simulatedNow += 60_000;
  const snapshot = graph.snapshot();
  const bare = median(rates.bare);
  const withMetrics = median(rates.metrics);
  const withGraph = median(rates.graph);
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  const pct = (a: number, b: number) => `${(((a - b) / a) * 100).toFixed(1)}%`;
  console.log(
    `Service graph on the ingest path (protobuf decode → SpanBatch), ${fmt(
      spansPerPass,
    )} spans a pass, ${SERVICES} services, ${HOPS}-service traces split over two requests, 7 interleaved rounds:`,
  );
  console.log(
    `  bare decode:                    ${fmt(bare)} spans/s (median)`,
  );
  console.log(
    `  + span metrics:                 ${fmt(withMetrics)} spans/s (${pct(
      bare,
      withMetrics,
    )} below bare)`,
  );
  console.log(
    `  + span metrics + service graph: ${fmt(withGraph)} spans/s (${pct(
      bare,
      withGraph,
    )} below bare; the graph adds ${pct(
      withMetrics,
      withGraph,
    )} to span metrics)`,
  );
  console.log(
    `  ServiceGraph.record alone: ${fmt(median(alone))} spans/s; ${
      snapshot.edges.length
    } edges, ${fmt(
      snapshot.edges.reduce((n, e) => n + e.requests, 0),
    )} calls counted, pending now ${snapshot.pending}, dropped ${JSON.stringify(
      snapshot.dropped,
    )}`,
  );
}
