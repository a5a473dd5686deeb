/* eslint-disable no-console */
/**
 * Throughput of the whole pipeline (receiver → limiter → sanitizer → batcher → gzip → OTLP/HTTP
 * exporter) into a loopback sink, for protobuf and JSON requests, against a bare decode of the same
 * bytes. Run with `yarn bench:pipeline` (options: --spans N, --rounds N, --only protobuf|json,
 * --workers N: the pipeline in a WorkerPool of N worker threads, --lean: without the sampling
 * stage (tail sampling) and span metrics, which are on by default as in the backend).
 * Not a test: it prints. CPU µs/span counts all threads (gzip runs on the libuv pool).
 *
 * Requests are handed to `pipeline.handle` directly (what the backend route does with the request
 * stream); the sink is a node:http server in the same process that reads and discards the bodies.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { Registry } from 'prom-client';
import { KeyValue, ResourceSpans, Span } from '../src/otlp/model';
import {
  parseExportRequestJson,
  stringifyExportRequestJson,
} from '../src/otlp/otlpJson';
import { ExportTraceServiceRequestCodec } from '../src/otlp/otlpRoot';
import { createPipeline } from '../src/pipeline';
import {
  ConfigSamplingPolicySource,
  createSamplingStage,
  samplingStageOptionsFromConfig,
  parseSamplingConfig,
} from '../src/sampling';
import { SpanMetrics } from '../src/spanMetrics';
import { WorkerPool } from '../src/workers/WorkerPool';

const SPANS_PER_REQUEST = 512;
const CONCURRENCY = 4;
const argument = (name: string) =>
  process.argv.includes(name)
    ? process.argv[process.argv.indexOf(name) + 1]
    : undefined;
const totalSpans = Number(argument('--spans')) || 300_000;
const only = argument('--only');
const rounds = Number(argument('--rounds')) || 3;
/** 0: in this thread (createPipeline); N: a WorkerPool of N workers. */
const workers = Number(argument('--workers')) || 0;
/** With span metrics and tail sampling on, as the backend runs (default on; --lean: off). */
const full = !process.argv.includes('--lean');
// Every trace is kept (rate 1), so the sink sees every span and the run ends when all are exported;
// the tail sampler still holds each trace for its decision wait.
const SAMPLING = {
  default: { strategy: { type: 'probabilistic', rate: 1 } },
  tail: {
    enabled: true,
    decisionWaitMs: 200,
    tickIntervalMs: 50,
    policies: [{ name: 'errors', type: 'status_code', statusCodes: ['ERROR'] }],
  },
};

const str = (key: string, stringValue: string): KeyValue => ({
  key,
  value: { stringValue },
});
const int = (key: string, intValue: number): KeyValue => ({
  key,
  value: { intValue },
});

function realisticSpan(i: number, traceId: Buffer, parent?: Buffer): Span {
  const start = 1_700_000_000_000_000_000 + i * 1_000_000;
  const attributes: KeyValue[] = [
    str('http.request.method', i % 5 ? 'GET' : 'POST'),
    str('http.route', '/api/orders/{id}'),
    str(
      'url.full',
      `https://shop.example.com/api/orders/${100000 + i}?expand=items`,
    ),
    int('http.response.status_code', i % 50 ? 200 : 503),
    str('server.address', 'orders.internal'),
    int('server.port', 8080),
    str(
      'user_agent.original',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
    ),
    str('network.protocol.version', '1.1'),
  ];
  // One span in a hundred carries a secret the sanitizer has to find.
  if (i % 100 === 0)
    attributes.push(
      str(
        'http.request.header.authorization',
        'Bearer eyJhbGciOiJIUzI1NiJ9.abc',
      ),
    );
  return {
    traceId,
    spanId: randomBytes(8),
    parentSpanId: parent,
    name: 'GET /api/orders/{id}',
    kind: parent ? 3 : 2,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 12_345_678,
    attributes,
    events:
      i % 10 === 0
        ? [
            {
              name: 'exception',
              timeUnixNano: start + 1000,
              attributes: [
                str('exception.type', 'TimeoutError'),
                str('exception.message', 'upstream timed out'),
              ],
            },
          ]
        : [],
    status: { code: i % 50 ? 0 : 2 },
  };
}

function request(services: string[]): ResourceSpans[] {
  const perService = SPANS_PER_REQUEST / services.length;
  return services.map(service => {
    const spans: Span[] = [];
    for (let i = 0; i < perService; i++) {
      const traceId = randomBytes(16);
      spans.push(realisticSpan(i, traceId, i % 4 ? randomBytes(8) : undefined));
    }
    return {
      resource: {
        attributes: [
          str('service.name', service),
          str('service.version', '2.4.1'),
          str('telemetry.sdk.language', 'nodejs'),
          str('host.name', 'pod-7f9c'),
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
    };
  });
}

const services = [
  ['checkout', 'payments-api'],
  ['catalog-api', 'search'],
  ['orders', 'inventory-svc'],
];
const requests = services.map(request);
const protobufBodies = requests.map(rs =>
  Buffer.from(
    ExportTraceServiceRequestCodec.encode(
      ExportTraceServiceRequestCodec.fromObject({ resourceSpans: rs }),
    ).finish(),
  ),
);
const jsonBodies = requests.map(rs =>
  Buffer.from(stringifyExportRequestJson(rs)),
);

function rate(spans: number, ms: number): number {
  return Math.round((spans * 1000) / ms);
}

function bareDecode(kind: 'protobuf' | 'json', bodies: Buffer[]): number {
  const decode =
    kind === 'protobuf'
      ? (b: Buffer) => ExportTraceServiceRequestCodec.decode(b)
      : (b: Buffer) => parseExportRequestJson(b.toString('utf8'));
  const started = performance.now();
  let spans = 0;
  for (let i = 0; spans < totalSpans; i++) {
    decode(bodies[i % bodies.length]);
    spans += SPANS_PER_REQUEST;
  }
  return rate(spans, performance.now() - started);
}

async function throughPipeline(
  kind: 'protobuf' | 'json',
  bodies: Buffer[],
  sinkUrl: string,
  spans: number,
) {
  const config = {
    memory: {
      softLimitBytes: 192 * 2 ** 20,
      hardLimitBytes: 256 * 2 ** 20,
      softLimitSpans: 100_000,
      hardLimitSpans: 120_000,
    },
    batch: { sendBatchSize: 8192, timeoutMs: 50 },
    exporters: [{ name: 'sink', endpoint: sinkUrl, concurrency: 4 }],
  };
  const registry = new Registry();
  let pipeline: Pick<
    WorkerPool,
    'handle' | 'accounting' | 'shutdown' | 'collect'
  >;
  if (workers > 0) {
    const pool = new WorkerPool({
      config,
      workers,
      registry,
      sampling: full ? SAMPLING : undefined,
      spanMetrics: full ? {} : undefined,
    });
    await pool.start();
    pipeline = pool;
  } else {
    const inProcess = createPipeline({
      config,
      registry,
      sampler: full
        ? createSamplingStage({
            policySource: ConfigSamplingPolicySource.fromConfig(SAMPLING),
            registry,
            ...samplingStageOptionsFromConfig(parseSamplingConfig(SAMPLING)),
          })
        : undefined,
    });
    if (full) {
      const spanMetrics = new SpanMetrics({ registry });
      inProcess.onSpans(batch => spanMetrics.record(batch));
    }
    pipeline = {
      handle: r => inProcess.handle(r),
      accounting: inProcess.accounting,
      shutdown: () => inProcess.shutdown(),
      collect: async () => {},
    };
  }
  const contentType =
    kind === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  const requestsToSend = Math.ceil(spans / SPANS_PER_REQUEST);
  let next = 0;
  let refusals = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requestsToSend) {
        const body = bodies[next++ % bodies.length];
        for (;;) {
          const res = await pipeline.handle({ contentType, body: [body] });
          if (res.status === 200) break;
          refusals++;
          await new Promise(r => setTimeout(r, 5));
        }
      }
    }),
  );
  const sent = requestsToSend * SPANS_PER_REQUEST;
  for (;;) {
    await pipeline.collect(true);
    if (pipeline.accounting.snapshot().exported >= sent) break;
    await new Promise(r => setTimeout(r, workers ? 20 : 1));
  }
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore).utilization;
  const snapshot = pipeline.accounting.snapshot();
  await pipeline.shutdown();
  if (!snapshot.balanced || snapshot.dropped)
    throw new Error(`accounting off: ${JSON.stringify(snapshot)}`);
  return {
    spansPerSecond: rate(sent, elapsed),
    cpuMicrosPerSpan: (cpu.user + cpu.system) / sent,
    eventLoopBusy: elu,
    refusals,
  };
}

async function main() {
  let sinkBytes = 0;
  const sink = createServer((req, res) => {
    req.on('data', c => (sinkBytes += c.length));
    req.on('end', () => res.end());
  });
  await new Promise<void>(r => sink.listen(0, '127.0.0.1', () => r()));
  const sinkUrl = `http://127.0.0.1:${
    (sink.address() as AddressInfo).port
  }/v1/traces`;

  console.log(
    `${workers ? `${workers} worker threads` : 'in-process (no workers)'}, ${
      full
        ? 'span metrics and tail sampling on'
        : 'lean: no sampling stage, no span metrics'
    }`,
  );
  console.log(
    `tracing-pipeline benchmark: ${totalSpans} spans per run, median of ${rounds} rounds, ${SPANS_PER_REQUEST} spans per request, ${CONCURRENCY} requests in parallel`,
  );
  console.log(
    `request size: protobuf ${Math.round(
      protobufBodies[0].length / SPANS_PER_REQUEST,
    )} B/span, JSON ${Math.round(
      jsonBodies[0].length / SPANS_PER_REQUEST,
    )} B/span`,
  );
  // Warm up the JIT on both paths.
  if (only !== 'json')
    await throughPipeline('protobuf', protobufBodies, sinkUrl, 50_000);
  if (only !== 'protobuf')
    await throughPipeline('json', jsonBodies, sinkUrl, 50_000);
  if (only !== 'json') bareDecode('protobuf', protobufBodies);
  if (only !== 'protobuf') bareDecode('json', jsonBodies);

  // The machine may be shared: alternate bare and pipeline runs and report medians.
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const [kind, bodies, target] of [
    ['protobuf', protobufBodies, 100_000],
    ['json', jsonBodies, 60_000],
  ] as const) {
    if (only && only !== kind) continue;
    const bare: number[] = [];
    const piped: number[] = [];
    const cpu: number[] = [];
    const busy: number[] = [];
    let refusals = 0;
    for (let round = 0; round < rounds; round++) {
      bare.push(bareDecode(kind, bodies));
      const run = await throughPipeline(kind, bodies, sinkUrl, totalSpans);
      piped.push(run.spansPerSecond);
      cpu.push(run.cpuMicrosPerSpan);
      busy.push(run.eventLoopBusy);
      refusals += run.refusals;
    }
    const spansPerSecond = median(piped);
    const bareRate = median(bare);
    rows.push({
      format: kind,
      'pipeline spans/s': spansPerSecond,
      'bare decode spans/s': bareRate,
      'pipeline / decode': `${Math.round((spansPerSecond / bareRate) * 100)}%`,
      target: `>= ${target}, >= 50%`,
      met:
        spansPerSecond >= target && spansPerSecond >= bareRate / 2
          ? 'yes'
          : 'NO',
      'CPU µs/span': median(cpu).toFixed(1),
      'event loop busy': `${Math.round(median(busy) * 100)}%`,
      '429 retries': refusals,
    });
  }
  console.table(rows);
  console.log(
    `load average while running: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs`,
  );
  console.log(
    `sink received ${(sinkBytes / 2 ** 20).toFixed(1)} MiB (gzip); peak RSS ${(
      process.resourceUsage().maxRSS / 1024
    ).toFixed(0)} MiB`,
  );
  sink.close();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
