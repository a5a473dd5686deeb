/* eslint-disable no-console */
/**
 * `yarn bench:coverage`: (1) the coverage model for 10,000 catalog components and 10,000 seen
 * service names, as `GET /coverage/fleet` computes it (join, fleet totals, filter, sort, JSON),
 * target < 200 ms; (2) span-metrics overhead on the ingest path: OTLP protobuf decode →
 * SpanBatch with and without `SpanMetrics.record`, interleaved in the same run; (3) the service
 * graph on top of span metrics against bare decode (bench/serviceGraph.bench.ts).
 */
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import {
  ServiceFigures,
  TracedServiceInfo,
  TRACING_TIERS,
} from '@internal/plugin-tracing-health-common';
import {
  ExportTraceServiceRequestCodec,
  SpanBatch,
  SpanMetrics,
} from '@internal/tracing-pipeline';
import {
  computeCoverage,
  summarizeFleet,
} from '../src/coverage/computeCoverage';
import {
  matchesOwnerAndSystem,
  sortCoverage,
} from '../src/coverage/filterCoverage';
import { benchServiceGraph } from './serviceGraph.bench';

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

function benchCoverage() {
  const COMPONENTS = 10_000;
  const SERVICE_NAMES = 10_000;
  const now = Date.now();
  const components: TracedServiceInfo[] = Array.from(
    { length: COMPONENTS },
    (_, i) => ({
      entityRef: `component:default/service-${i}`,
      name: `service-${i}`,
      namespace: 'default',
      owner: `group:default/team-${i % 250}`,
      system: `system:default/system-${i % 400}`,
      settings: {
        optedIn: i % 10 < 7,
        serviceName: `svc-${i}`,
        serviceNameSource: 'annotation',
        tier: TRACING_TIERS[i % 3],
        tierSource: 'annotation',
        errors: [],
      },
    }),
  );
  // 8,000 names map to components (some of them silent), 2,000 are unregistered.
  const lastSeen = new Map<string, number>();
  const figures = new Map<string, ServiceFigures>();
  for (let i = 0; i < SERVICE_NAMES; i++) {
    const name = i < 8_000 ? `svc-${i}` : `stray-${i}`;
    lastSeen.set(name, now - (i % 20) * 60_000);
    figures.set(name, {
      spansPerSecond: (i % 97) + 0.5,
      requestsPerSecond: (i % 89) / 10,
      tracesPerSecond: (i % 31) / 10,
      errorRatio: (i % 13) / 100,
      p50Seconds: 0.02,
      p95Seconds: 0.05 + (i % 50) / 100,
      p99Seconds: 1,
      completeness: 0.8 + (i % 21) / 100,
      judgedTraces: 1000 + i,
      orphanSpans: i % 7,
    });
  }

  const fleetRequest = (owner?: string) => {
    const all = computeCoverage({
      components,
      lastSeen,
      figures: name => figures.get(name),
      now,
      silentAfterMs: 10 * 60_000,
      unregisteredLookbackMs: 24 * 3_600_000,
    });
    const filter = { owner: owner ? [owner] : undefined };
    const items = all.items.filter(i => matchesOwnerAndSystem(i, filter));
    const totals = summarizeFleet(
      { items, unregistered: owner ? [] : all.unregistered },
      { completeness: 0.95, judgedTraces: 1_000_000 },
    );
    const sorted = sortCoverage(items, 'completeness', 'asc');
    return JSON.stringify({
      totals,
      items: sorted,
      unregistered: all.unregistered,
    });
  };

  let body = '';
  for (let i = 0; i < 5; i++) body = fleetRequest();
  const full: number[] = [];
  const byOwner: number[] = [];
  for (let i = 0; i < 30; i++) {
    let t = performance.now();
    body = fleetRequest();
    full.push(performance.now() - t);
    t = performance.now();
    fleetRequest('team-7');
    byOwner.push(performance.now() - t);
  }
  const parsed = JSON.parse(body);
  const f = stats(full);
  const o = stats(byOwner);
  console.log(
    'Coverage model: 10,000 catalog components × 10,000 seen service names',
  );
  console.log(
    `  states: ${JSON.stringify(parsed.totals.states)}, unregistered listed: ${
      parsed.unregistered.length
    }, response ${(body.length / 1e6).toFixed(1)} MB`,
  );
  console.log(
    `  whole fleet, sorted, serialized: median ${ms(f.median)}, p95 ${ms(
      f.p95,
    )}, max ${ms(f.max)} (target < 200 ms: ${f.p95 < 200 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  filtered by owner:              median ${ms(o.median)}, p95 ${ms(
      o.p95,
    )}`,
  );
}

function benchSpanMetrics() {
  const SERVICES = 200;
  const REQUESTS = 2_000;
  const TRACES_PER_REQUEST = 5;
  const SPANS_PER_TRACE = 10;
  const id = (n: number, bytes: number) => {
    const b = Buffer.alloc(bytes);
    b.writeUInt32BE(n >>> 0, bytes - 4);
    b.writeUInt32BE(Math.floor(n / 2 ** 32), bytes - 8);
    return new Uint8Array(b);
  };
  let spanSeq = 1;
  let traceSeq = 1;
  const start = BigInt(Date.now()) * 1_000_000n;
  const requests: Uint8Array[] = [];
  for (let r = 0; r < REQUESTS; r++) {
    const spans = [];
    for (let t = 0; t < TRACES_PER_REQUEST; t++) {
      const traceId = id(traceSeq++, 16);
      let parent: Uint8Array | undefined;
      for (let s = 0; s < SPANS_PER_TRACE; s++) {
        const spanId = id(spanSeq++, 8);
        spans.push({
          traceId,
          spanId,
          parentSpanId: parent,
          name: `op-${s}`,
          kind: s === 0 ? 2 : 3,
          startTimeUnixNano: Number(start),
          endTimeUnixNano: Number(start) + (s + 1) * 3_000_000,
          attributes: [
            { key: 'http.route', value: { stringValue: `/api/v1/items/${s}` } },
          ],
          status: { code: s === 3 && t === 0 ? 2 : 0 },
        });
        parent = spanId;
      }
    }
    const message = ExportTraceServiceRequestCodec.fromObject({
      resourceSpans: [
        {
          resource: {
            attributes: [
              {
                key: 'service.name',
                value: { stringValue: `service-${r % SERVICES}` },
              },
            ],
          },
          scopeSpans: [{ scope: { name: 'bench' }, spans }],
        },
      ],
    });
    requests.push(ExportTraceServiceRequestCodec.encode(message).finish());
  }
  const spansPerPass = REQUESTS * TRACES_PER_REQUEST * SPANS_PER_TRACE;

  let simulatedNow = Date.now();
  const metrics = new SpanMetrics({
    registry: new Registry(),
    // 20 simulated ms per request: traces are judged continuously, as under steady load.
    clock: { now: () => simulatedNow },
  });
  const decode = (buffer: Uint8Array): SpanBatch => {
    const request = ExportTraceServiceRequestCodec.decode(buffer);
    return {
      resourceSpans: request.resourceSpans ?? [],
      spanCount: TRACES_PER_REQUEST * SPANS_PER_TRACE,
      bytes: buffer.length,
    };
  };
  const pass = (withMetrics: boolean) => {
    const t = performance.now();
    for (const buffer of requests) {
      const batch = decode(buffer);
      if (withMetrics) {
        simulatedNow += 20;
        metrics.record(batch);
      }
    }
    return spansPerPass / ((performance.now() - t) / 1000);
  };
  const recordOnly = (batches: SpanBatch[]) => {
    const t = performance.now();
    for (const batch of batches) {
      simulatedNow += 20;
      metrics.record(batch);
    }
    return spansPerPass / ((performance.now() - t) / 1000);
  };

  pass(false);
  pass(true);
  const without: number[] = [];
  const withM: number[] = [];
  for (let round = 0; round < 7; round++) {
    without.push(pass(false));
    withM.push(pass(true));
  }
  const decoded = requests.map(decode);
  const alone: number[] = [];
  for (let round = 0; round < 5; round++) alone.push(recordOnly(decoded));

  const a = stats(without).median;
  const b = stats(withM).median;
  const snapshot = metrics.snapshot();
  console.log(
    `Span metrics on the ingest path (protobuf decode → SpanBatch), ${spansPerPass.toLocaleString(
      'en-US',
    )} spans a pass, ${SERVICES} services, 10-span traces, 7 interleaved rounds:`,
  );
  console.log(
    `  without span metrics: ${Math.round(a).toLocaleString(
      'en-US',
    )} spans/s (median)`,
  );
  console.log(
    `  with span metrics:    ${Math.round(b).toLocaleString(
      'en-US',
    )} spans/s (median)`,
  );
  console.log(
    `  overhead: ${(((a - b) / a) * 100).toFixed(1)}% of ingest throughput`,
  );
  console.log(
    `  SpanMetrics.record alone: ${Math.round(
      stats(alone).median,
    ).toLocaleString('en-US')} spans/s; traces judged ${(
      snapshot.traces.complete + snapshot.traces.incomplete
    ).toLocaleString('en-US')} (incomplete ${
      snapshot.traces.incomplete
    }), tracked now ${snapshot.traces.tracked}`,
  );
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
benchCoverage();
benchSpanMetrics();
benchServiceGraph();
