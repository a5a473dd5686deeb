/* eslint-disable no-console */
/**
 * Sampling engine figures: head decisions/s, tail (whole stage) decisions/s, and memory held per
 * span with 100k traces x 10 spans in flight. Not a test: it prints.
 *
 *   yarn bench:sampling                       (from the repo root or this package)
 *   yarn bench:sampling --traces 50000 --spans 10
 *   yarn bench:sampling --no-compact          (hold the decoded span objects)
 *
 * Runs with --expose-gc so heap figures are measured after full collections. Spans are real
 * protobuf decodes (the receiver's codec) of realistic spans, so their memory is what the
 * pipeline holds. Memory targets: <= 1 KiB per span held, 100k traces x 10 spans < 512 MiB.
 */
'use strict';

const { randomBytes } = require('node:crypto');
const { Registry } = require('prom-client');
const { ExportTraceServiceRequestCodec } = require('../src/otlp/otlpRoot');
const { decodeExportRequest } = require('../src/otlp/wire');
const {
  HeadSampler,
  TraceView,
  createSamplingStage,
  traceDataOf,
} = require('../src/sampling');

const argument = name =>
  process.argv.includes(name)
    ? Number(process.argv[process.argv.indexOf(name) + 1])
    : undefined;
const TRACES = argument('--traces') ?? 100_000;
const SPANS_PER_TRACE = argument('--spans') ?? 10;
const TRACES_PER_BATCH = 50;
const COMPACT = !process.argv.includes('--no-compact');
const SERVICES = ['frontend', 'checkout', 'payments', 'inventory', 'search'];
const MiB = 1024 * 1024;

if (typeof global.gc !== 'function') {
  console.error('Run with node --expose-gc (yarn bench:sampling does).');
  process.exit(1);
}

/** JS heap plus Buffers and other memory outside it, after full collections. */
function gcHeap() {
  for (let i = 0; i < 3; i++) global.gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

const str = (key, stringValue) => ({ key, value: { stringValue } });
const int = (key, intValue) => ({ key, value: { intValue } });

/** A realistic server-ish span: ids, name, kind, times, 6 attributes, status. */
function span(traceId, spanId, parentSpanId, i, t) {
  const start = 1_700_000_000_000_000_000 + t * 1_000_000 + i * 1000;
  return {
    traceId,
    spanId,
    parentSpanId,
    name: i === 0 ? 'GET /api/orders/{id}' : `SELECT orders ${i}`,
    kind: i === 0 ? 2 : 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 2_000_000 + (i % 7) * 100_000,
    attributes: [
      str('http.request.method', 'GET'),
      str('url.path', `/api/orders/${t}`),
      int('http.response.status_code', t % 50 === 0 ? 500 : 200),
      str('db.system', 'postgresql'),
      str('server.address', 'orders-db.internal'),
      int('server.port', 5432),
    ],
    status: { code: t % 50 === 0 && i === SPANS_PER_TRACE - 1 ? 2 : 0 },
  };
}

/** Encodes and decodes batches of TRACES_PER_BATCH traces, spread over the services. */
function buildBatches() {
  const batches = [];
  let t = 0;
  while (t < TRACES) {
    const byService = new Map();
    for (let k = 0; k < TRACES_PER_BATCH && t < TRACES; k++, t++) {
      const traceId = randomBytes(16);
      const ids = Array.from({ length: SPANS_PER_TRACE }, () => randomBytes(8));
      for (let i = 0; i < SPANS_PER_TRACE; i++) {
        const service = SERVICES[(t + i) % SERVICES.length];
        if (!byService.has(service)) byService.set(service, []);
        byService
          .get(service)
          .push(span(traceId, ids[i], i === 0 ? undefined : ids[0], i, t));
      }
    }
    const request = {
      resourceSpans: [...byService].map(([service, spans]) => ({
        resource: {
          attributes: [
            str('service.name', service),
            str('service.version', '1.4.2'),
            str('deployment.environment.name', 'production'),
            str('telemetry.sdk.language', 'nodejs'),
          ],
        },
        scopeSpans: [
          {
            scope: {
              name: '@opentelemetry/instrumentation-http',
              version: '0.57.0',
            },
            spans,
          },
        ],
      })),
    };
    const bytes = ExportTraceServiceRequestCodec.encode(request).finish();
    // as the receiver decodes: spans remember where their bytes lie in the request
    const decoded = { resourceSpans: decodeExportRequest(Buffer.from(bytes)) };
    const spanCount = decoded.resourceSpans.reduce(
      (n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0),
      0,
    );
    batches.push({
      resourceSpans: decoded.resourceSpans,
      spanCount,
      bytes: bytes.length,
    });
  }
  return batches;
}

function policySource() {
  const standard = {
    strategy: { type: 'probabilistic', rate: 0.1 },
    operations: [
      { match: { type: 'span-name', name: 'GET /health' }, rate: 0 },
      {
        match: { type: 'span-name-regex', pattern: '^POST /checkout' },
        rate: 1,
      },
    ],
    alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
    samplingLocation: 'pipeline',
  };
  return {
    getPolicy: service =>
      service === 'search'
        ? {
            ...standard,
            strategy: {
              type: 'adaptive',
              targetTracesPerSecond: 100,
              minRate: 0.001,
              maxRate: 1,
            },
            origin: 'service',
          }
        : undefined,
    getDefaultPolicy: () => ({ ...standard, origin: 'default' }),
    version: () => 1,
  };
}

const fmt = n => Math.round(n).toLocaleString('en-US');

async function main() {
  const spans = TRACES * SPANS_PER_TRACE;
  console.log(
    `sampling bench: ${fmt(TRACES)} traces x ${SPANS_PER_TRACE} spans = ${fmt(
      spans,
    )} spans, node ${process.version}`,
  );

  const heap0 = gcHeap();
  let batches = buildBatches();
  const heap1 = gcHeap();
  const wireBytes = batches.reduce((n, b) => n + b.bytes, 0);

  // --- tail: the whole stage (head strategy + always-keep + buffer), 100k traces in flight ---
  let now = 1_700_000_000_000;
  const outputs = {
    forwarded: 0,
    dropped: 0,
    forward: b => (outputs.forwarded += b.spanCount),
    drop: n => (outputs.dropped += n),
  };
  const stage = createSamplingStage({
    policySource: policySource(),
    registry: new Registry(),
    clock: () => now,
    tail: {
      decisionWaitMs: 30_000,
      maxTraces: TRACES * 2,
      maxBytes: 4 * 1024 * MiB,
      tickIntervalMs: 0,
    },
    compactHeldSpans: COMPACT,
  })(outputs);
  let t0 = process.hrtime.bigint();
  for (const b of batches) stage.consume(b);
  const consumeNs = Number(process.hrtime.bigint() - t0);
  batches = undefined; // the stage now holds the only references to the spans
  const heap2 = gcHeap();
  const held = stage.held();
  const stats = stage.stats();

  t0 = process.hrtime.bigint();
  now += 30_000;
  stage.tick(now);
  const decideNs = Number(process.hrtime.bigint() - t0);
  const heap3 = gcHeap();

  // --- the buffer's own overhead: minimal spans held in an array vs held by the stage ---
  const minimal = () => {
    const out = [];
    for (let t = 0; t < TRACES; t += TRACES_PER_BATCH) {
      const spansOfBatch = [];
      for (let k = 0; k < TRACES_PER_BATCH; k++) {
        const traceId = randomBytes(16);
        for (let i = 0; i < SPANS_PER_TRACE; i++)
          spansOfBatch.push({ traceId, name: 'x' });
      }
      out.push({
        resourceSpans: [
          {
            resource: { attributes: [str('service.name', 'svc')] },
            scopeSpans: [{ spans: spansOfBatch }],
          },
        ],
        spanCount: spansOfBatch.length,
        bytes: spansOfBatch.length * 100,
      });
    }
    return out;
  };
  // Keep the minimal batches alive throughout, so the difference is the stage's structures.
  const minimalBatches = minimal();
  const h4 = gcHeap();
  const overheadStage = createSamplingStage({
    policySource: policySource(),
    registry: new Registry(),
    clock: () => now,
    tail: {
      decisionWaitMs: 30_000,
      maxTraces: TRACES * 2,
      maxBytes: 4 * 1024 * MiB,
      tickIntervalMs: 0,
    },
    compactHeldSpans: false,
  })({ forward() {}, drop() {} });
  for (const b of minimalBatches) overheadStage.consume(b);
  const h5 = gcHeap();
  const bufferOverhead = (h5 - h4) / spans;
  await overheadStage.shutdown();
  minimalBatches.length = 0;

  // --- head only: decisions on prepared 10-span trace views ---
  const head = new HeadSampler({
    policySource: policySource(),
    clock: () => now,
  });
  const views = [];
  for (let t = 0; t < Math.min(TRACES, 100_000); t++) {
    const traceId = randomBytes(16);
    const ids = Array.from({ length: SPANS_PER_TRACE }, () => randomBytes(8));
    const s = Array.from({ length: SPANS_PER_TRACE }, (_, i) =>
      span(traceId, ids[i], i === 0 ? undefined : ids[0], i, t),
    );
    views.push(
      traceDataOf(traceId, [
        {
          resource: {
            attributes: [str('service.name', SERVICES[t % SERVICES.length])],
          },
          spans: s,
        },
      ]),
    );
  }
  let kept = 0;
  for (const d of views.slice(0, 10_000))
    kept += head.decide(new TraceView(d), now).sampled ? 1 : 0; // warm-up
  kept = 0;
  const rounds = 5;
  t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const d of views)
      if (head.decide(new TraceView(d), now).sampled) kept++;
  }
  const headNs = Number(process.hrtime.bigint() - t0);
  t0 = process.hrtime.bigint();
  let keepHits = 0;
  for (const d of views) if (head.alwaysKeep(new TraceView(d))) keepHits++;
  const keepNs = Number(process.hrtime.bigint() - t0);

  const decoded = heap1 - heap0;
  const total = heap2 - heap0;
  console.log('');
  console.log(
    'head sampler (HeadSampler.decide, 10-span traces, probabilistic + operation rules + adaptive):',
  );
  console.log(
    `  ${fmt((views.length * rounds) / (headNs / 1e9))} decisions/s (${(
      headNs /
      (views.length * rounds)
    ).toFixed(0)} ns each, kept ${(
      (kept / (views.length * rounds)) *
      100
    ).toFixed(1)}%)`,
  );
  console.log(
    `  always-keep scan: ${fmt(
      views.length / (keepNs / 1e9),
    )} traces/s (${keepHits} kept)`,
  );
  console.log('');
  console.log(
    'tail / whole stage (group by trace, buffer, then decide head + always-keep + forward):',
  );
  console.log(
    `  consume ${fmt(spans / (consumeNs / 1e9))} spans/s; decide ${fmt(
      TRACES / (decideNs / 1e9),
    )} traces/s (${fmt(
      (TRACES * SPANS_PER_TRACE) / (decideNs / 1e9),
    )} spans/s)`,
  );
  console.log(
    `  end to end ${fmt(
      TRACES / ((consumeNs + decideNs) / 1e9),
    )} traces/s; forwarded ${fmt(outputs.forwarded)} spans, dropped ${fmt(
      outputs.dropped,
    )}`,
  );
  console.log('');
  console.log(
    `memory with ${fmt(stats.traces)} traces / ${fmt(
      stats.spans,
    )} spans in flight (heapUsed + external after full GC):`,
  );
  console.log(
    `  decoded spans alone:            ${(decoded / MiB).toFixed(
      1,
    )} MiB = ${fmt(decoded / spans)} B/span (wire ${fmt(
      wireBytes / spans,
    )} B/span)`,
  );
  console.log(
    `  held by the stage (spans + buffer): ${(total / MiB).toFixed(
      1,
    )} MiB = ${fmt(total / spans)} B/span   [target <= 1024 B/span, < 512 MiB]`,
  );
  console.log(
    `  buffer's own overhead:          ${fmt(
      bufferOverhead,
    )} B/span (trace map, queue, held-span records; minimal spans)`,
  );
  console.log(
    `  held spans compacted:           ${
      COMPACT
        ? 'yes (protobuf bytes in shared chunks + a summary per span)'
        : 'no (--no-compact: the decoded objects)'
    }`,
  );
  console.log(
    `  stage.held() estimate:          ${(held.bytes / MiB).toFixed(
      1,
    )} MiB (wire bytes, what the memory limiter counts)`,
  );
  console.log(
    `  after deciding all:             ${((heap3 - heap0) / MiB).toFixed(
      1,
    )} MiB (decision caches: ${fmt(stage.stats().sampledCache)} kept + ${fmt(
      stage.stats().notSampledCache,
    )} dropped ids)`,
  );
  console.log(`  rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`);
  const ok = total / spans <= 1024 && total < 512 * MiB;
  console.log(`  targets: ${ok ? 'met' : 'NOT met'}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
