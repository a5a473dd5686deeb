import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { PIPELINE_METRICS } from '@internal/tracing-model';
import {
  chunks,
  encodeRequest,
  makeResourceSpans,
  makeSpan,
  str,
} from '../testing/fixtures';
import { OtlpSink } from '../testing/otlpSink';
import { Span } from '../otlp/model';
import { RendezvousRouter, workerShardIds } from '../routing/shardRouting';
import { WorkerPool } from './WorkerPool';

jest.setTimeout(120_000);

const protobuf = (spans: Span[], service = 'checkout') => ({
  contentType: 'application/x-protobuf',
  body: chunks(
    encodeRequest({ resourceSpans: [makeResourceSpans(service, spans)] }),
  ),
});

async function counterValues(registry: Registry, name: string) {
  const metric = registry.getSingleMetric(name);
  const values = metric ? (await metric.get()).values : [];
  return Object.fromEntries(
    values.map(v => [String(v.labels.reason), v.value]),
  );
}

describe('WorkerPool', () => {
  let pool: WorkerPool | undefined;
  let sink: OtlpSink | undefined;
  afterEach(async () => {
    await pool?.shutdown();
    await sink?.stop();
    pool = undefined;
    sink = undefined;
  });

  it('keeps every kept trace whole when its spans arrive in many requests across 2 workers', async () => {
    sink = await new OtlpSink().start();
    const registry = new Registry();
    pool = new WorkerPool({
      config: {
        exporters: [{ name: 'sink', endpoint: sink.url }],
        batch: { timeoutMs: 20 },
      },
      workers: 2,
      registry,
      sampling: {
        tail: {
          enabled: true,
          decisionWaitMs: 1000,
          tickIntervalMs: 50,
          policies: [
            {
              name: 'keep',
              type: 'string_attribute',
              key: 'keep',
              values: ['yes'],
            },
          ],
        },
      },
      spanMetrics: {},
    });
    await pool.start();

    // 60 traces of 6 spans; request r carries span r of every trace, so no request holds a whole
    // trace and the receiving worker alternates. Every third trace has a span tail sampling keeps.
    const traces = Array.from({ length: 60 }, (_, t) => {
      const traceId = randomBytes(16);
      const root = makeSpan({ traceId });
      return [
        root,
        ...Array.from({ length: 5 }, (__, i) =>
          makeSpan({
            traceId,
            parentSpanId: root.spanId,
            attributes: t % 3 === 0 && i === 4 ? [str('keep', 'yes')] : [],
          }),
        ),
      ];
    });
    for (let r = 0; r < 6; r++) {
      const res = await pool.handle(protobuf(traces.map(spans => spans[r])));
      expect(res.status).toBe(200);
    }
    await pool.shutdown();

    const exported = new Map<string, number>();
    for (const span of sink.spans()) {
      const id = Buffer.from(span.traceId!).toString('hex');
      exported.set(id, (exported.get(id) ?? 0) + 1);
    }
    // Every trace tail sampling had to keep is there, and every trace there is whole.
    const mustKeep = traces
      .filter((_, t) => t % 3 === 0)
      .map(spans => Buffer.from(spans[0].traceId!).toString('hex'));
    expect(mustKeep.map(id => exported.get(id))).toEqual(mustKeep.map(() => 6));
    expect([...exported.values()].filter(count => count !== 6)).toEqual([]);
    // Accounting adds up across the workers: each span received once.
    const snapshot = pool.accounting.snapshot();
    expect(snapshot.received).toBe(360);
    expect(snapshot.inFlight).toBe(0);
  });

  it('counts the CPU of the main thread and of the workers apart, the workers summed', async () => {
    const registry = new Registry();
    pool = new WorkerPool({ config: {}, workers: 2, registry });
    await pool.start();
    const cpu = async () => {
      await pool!.collect(true);
      const metric = registry.getSingleMetric(
        PIPELINE_METRICS.threadCpuSeconds,
      );
      const values = metric ? (await metric.get()).values : [];
      return Object.fromEntries(
        values.map(v => [String(v.labels.thread), v.value]),
      );
    };
    const before = await cpu();
    expect(Object.keys(before).sort()).toEqual(['main', 'worker']);
    for (let i = 0; i < 20; i++) {
      const spans = Array.from({ length: 500 }, () => makeSpan());
      expect((await pool.handle(protobuf(spans))).status).toBe(200);
    }
    const after = await cpu();
    // Decoding 10,000 spans happened on the workers, not in this thread.
    expect(after.worker).toBeGreaterThan(before.worker);
    expect(after.main).toBeGreaterThan(before.main);
    expect(after.main).toBeLessThanOrEqual(
      (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    );
  });

  it("reports the workers' exporter queues and failed spans through exportStatus", async () => {
    sink = await new OtlpSink().start();
    sink.reply = () => ({ status: 400 });
    pool = new WorkerPool({
      config: {
        exporters: [{ name: 'sink', endpoint: sink.url, queueSize: 5 }],
        batch: { timeoutMs: 10 },
      },
      workers: 2,
      registry: new Registry(),
    });
    await pool.start();
    const spans = Array.from({ length: 4 }, () => makeSpan());
    expect((await pool.handle(protobuf(spans))).status).toBe(200);
    for (let i = 0; i < 100 && pool.exportStatus().failedSpans < 4; i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
      await pool.collect(true);
    }
    expect(pool.exportStatus()).toEqual({
      queueSize: 0,
      queueCapacity: 10,
      failedSpans: 4,
    });
  });

  it('holds at most maxInFlightBodyBytes of request bodies at once and refuses the rest with 503 + Retry-After, counted as refused', async () => {
    const registry = new Registry();
    pool = new WorkerPool({
      config: {
        receiver: {
          maxBodyBytes: 1024 * 1024,
          maxInFlightBodyBytes: 1024 * 1024,
        },
      },
      workers: 1,
      registry,
    });
    await pool.start();

    // A slow sender holds 700 KB and has not finished.
    let finish!: () => void;
    const finished = new Promise<void>(resolve => {
      finish = resolve;
    });
    async function* slowBody() {
      yield Buffer.alloc(700 * 1024);
      await finished;
    }
    const slow = pool.handle({
      contentType: 'application/x-protobuf',
      body: slowBody(),
    });
    await new Promise(resolve => setImmediate(resolve));
    expect(pool.inFlightBytes()).toBe(700 * 1024);

    // A second 700 KB body does not fit beside it, whether it declares its length or streams.
    const declared = await pool.handle({
      contentType: 'application/x-protobuf',
      contentLength: 700 * 1024,
      body: chunks(Buffer.alloc(700 * 1024)),
    });
    expect(declared.status).toBe(503);
    expect(declared.headers['retry-after']).toBe('5');
    const streamed = await pool.handle({
      contentType: 'application/x-protobuf',
      body: chunks(
        ...Array.from({ length: 11 }, () => Buffer.alloc(64 * 1024)),
      ),
    });
    expect(streamed.status).toBe(503);
    // What the refused requests had reserved is free again; small requests still pass.
    expect(pool.inFlightBytes()).toBe(700 * 1024);
    const small = await pool.handle(protobuf([makeSpan()]));
    expect(small.status).toBe(200);

    finish();
    // The slow body is not valid OTLP: its own answer is a 400, and then nothing is held.
    expect((await slow).status).toBe(400);
    expect(pool.inFlightBytes()).toBe(0);
    const after = await pool.handle({
      contentType: 'application/x-protobuf',
      body: chunks(
        encodeRequest({
          resourceSpans: [makeResourceSpans('checkout', [makeSpan()])],
        }),
      ),
    });
    expect(after.status).toBe(200);

    await pool.collect(true);
    expect(
      await counterValues(registry, PIPELINE_METRICS.requestsRefused),
    ).toEqual({ in_flight_bytes: 2 });
    expect(
      await counterValues(registry, PIPELINE_METRICS.requestsRefusedBytes),
    ).toEqual({ in_flight_bytes: 700 * 1024 + 6 * 64 * 1024 });
  });

  it('answers every request while a worker runs out of heap, replaces it, and names the loss', async () => {
    const registry = new Registry();
    pool = new WorkerPool({
      // The memory limiter believes it fits; the worker's heap cap says otherwise.
      config: {
        memory: {
          softLimitBytes: 2 ** 30,
          hardLimitBytes: 2 ** 31,
          softLimitSpans: 10_000_000,
          hardLimitSpans: 20_000_000,
        },
        receiver: { maxBodyBytes: 64 * 2 ** 20 },
      },
      workers: 2,
      registry,
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    await pool.start();

    // About 300,000 spans: a few MiB on the wire, far beyond 32 MiB of heap once decoded.
    const huge = Array.from({ length: 300_000 }, () =>
      makeSpan({ attributes: [], name: 'x' }),
    );
    const deadly = pool.handle(protobuf(huge));
    const others = Array.from({ length: 20 }, () =>
      pool!.handle(protobuf([makeSpan()])),
    );
    const [deadlyRes, ...otherRes] = await Promise.all([deadly, ...others]);
    expect(deadlyRes.status).toBe(503);
    expect(deadlyRes.headers['retry-after']).toBe('5');
    // Every other request got an answer: taken, or 503 + Retry-After when its share was with the
    // dying worker (the client retries).
    expect(
      otherRes.filter(
        res =>
          res.status !== 200 &&
          !(res.status === 503 && res.headers['retry-after']),
      ),
    ).toEqual([]);

    await pool.whenAllReady();
    const later = await pool.handle(protobuf([makeSpan(), makeSpan()]));
    expect(later.status).toBe(200);

    expect(
      await counterValues(registry, PIPELINE_METRICS.workerRestarts),
    ).toEqual({
      out_of_memory: 1,
    });
    expect(
      (await counterValues(registry, PIPELINE_METRICS.workerRefusedRequests))
        .worker_exit,
    ).toBeGreaterThanOrEqual(1);
    expect(
      await counterValues(registry, PIPELINE_METRICS.workerLostSpans),
    ).toHaveProperty('worker_exit');
  });

  it('replaces a worker that stops answering, answering its requests 503 + Retry-After', async () => {
    const registry = new Registry();
    pool = new WorkerPool({
      config: {},
      workers: 2,
      registry,
      deadlineMs: 2000,
      testHooks: true,
    });
    await pool.start();
    pool.hook(0, 'hang');
    // Two requests at once: one of them goes to the hung worker.
    const answers = await Promise.all([
      pool.handle(protobuf([makeSpan()])),
      pool.handle(protobuf([makeSpan()])),
    ]);
    // The one on the hung worker gets 503; the other too when its trace belongs to the hung
    // worker (its share is not taken). Every request is answered.
    expect(answers.map(a => a.status)).toContain(503);
    expect(
      answers
        .filter(a => a.status !== 200)
        .map(a => [a.status, a.headers['retry-after']]),
    ).toEqual(answers.filter(a => a.status !== 200).map(() => [503, '5']));
    await pool.whenAllReady();
    expect((await pool.handle(protobuf([makeSpan()]))).status).toBe(200);
    expect(
      await counterValues(registry, PIPELINE_METRICS.workerRestarts),
    ).toEqual({ unresponsive: 1 });
  });

  it('hands a request marked with its worker’s shard to that worker, whatever the others do', async () => {
    pool = new WorkerPool({
      config: {},
      workers: 2,
      registry: new Registry(),
      deadlineMs: 2000,
      testHooks: true,
    });
    await pool.start();
    // Worker 1 stops answering: requests it is handed, or that have spans of its traces, get 503.
    pool.hook(1, 'hang');
    const byWorker = new RendezvousRouter(workerShardIds(2));
    const ofWorker0 = () => {
      for (;;) {
        const span = makeSpan();
        if (byWorker.ownerOf(span.traceId) === 0) return span;
      }
    };
    // Unmarked, they would be spread over both workers by load.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        pool!.handle({
          ...protobuf([ofWorker0(), ofWorker0()]),
          routed: true,
          shard: { index: 0, of: 2 },
        }),
      ),
    );
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200]);
  });
});
