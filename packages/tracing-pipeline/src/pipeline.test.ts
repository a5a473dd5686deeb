import { Registry } from 'prom-client';
import { PIPELINE_METRICS } from '@internal/tracing-model';
import { HoldingStage, SpanBatch, StageOutputs } from './otlp/model';
import { createPipeline, Pipeline } from './pipeline';
import { PipelineConfigInput } from './config';
import { MEMORY_PER_WIRE_BYTE } from './receiver/receiver';
import {
  chunks,
  encodeRequest,
  makeRequest,
  makeResourceSpans,
  makeSpan,
  str,
  waitFor,
} from './testing/fixtures';
import { OtlpSink } from './testing/otlpSink';
import { countSpans } from './otlp/spanBatch';
import { createTailSampler } from './sampling/tailSampler';

const PB = 'application/x-protobuf';

/** Holds everything until flushed; keeps every other span. */
class HalfSampler implements HoldingStage {
  private held_: SpanBatch[] = [];
  constructor(private readonly outputs: StageOutputs) {}
  consume(batch: SpanBatch) {
    this.held_.push(batch);
  }
  held() {
    return {
      spans: this.held_.reduce((n, b) => n + b.spanCount, 0),
      bytes: this.held_.reduce((n, b) => n + b.bytes, 0),
    };
  }
  async flush() {
    for (const b of this.held_.splice(0)) {
      const spans = b.resourceSpans.flatMap(rs =>
        rs.scopeSpans!.flatMap(ss => ss.spans!),
      );
      const kept = spans.filter((_, i) => i % 2 === 0);
      const resourceSpans = [
        {
          resource: b.resourceSpans[0].resource,
          scopeSpans: [{ spans: kept }],
        },
      ];
      const keptBytes = Math.round((b.bytes * kept.length) / spans.length);
      this.outputs.forward({
        resourceSpans,
        spanCount: countSpans(resourceSpans),
        bytes: keptBytes,
      });
      this.outputs.drop(
        spans.length - kept.length,
        b.bytes - keptBytes,
        'sampled_out',
      );
    }
  }
  async shutdown() {}
}

class DropAllSampler implements HoldingStage {
  constructor(private readonly outputs: StageOutputs) {}
  consume(batch: SpanBatch) {
    this.outputs.drop(batch.spanCount, batch.bytes, 'sampled_out');
  }
  held() {
    return { spans: 0, bytes: 0 };
  }
  async flush() {}
  async shutdown() {}
}

describe('createPipeline', () => {
  let sink: OtlpSink;
  let pipeline: Pipeline | undefined;
  let registry: Registry;

  beforeEach(async () => {
    sink = await new OtlpSink().start();
    registry = new Registry();
  });
  afterEach(async () => {
    await pipeline?.shutdown();
    pipeline = undefined;
    await sink.stop();
  });

  const logged: string[] = [];
  const logger = {
    info: (message: string) => logged.push(message),
    warn() {},
    error() {},
  };

  function make(
    config: PipelineConfigInput = {},
    sampler?: (o: StageOutputs) => HoldingStage,
  ) {
    logged.length = 0;
    pipeline = createPipeline({
      logger,
      config: {
        batch: { timeoutMs: 10 },
        exporters: [
          {
            name: 'sink',
            endpoint: sink.url,
            retry: { initialIntervalMs: 5, maxIntervalMs: 20 },
          },
        ],
        shutdownTimeoutMs: 2000,
        ...config,
      },
      registry,
      sampler,
    });
    return pipeline;
  }

  const post = (p: Pipeline, body: Buffer) =>
    p.handle({ contentType: PB, body: chunks(body) });

  it('exports accepted spans intact, with secrets redacted, and balances the books', async () => {
    const p = make();
    const request = makeRequest({ checkout: 3, payments: 2 });
    request.resourceSpans![0].scopeSpans![0].spans![0].attributes!.push(
      str('db.password', 'hunter2-secret'),
    );
    const sent = request.resourceSpans!.flatMap(rs =>
      rs.scopeSpans![0].spans!.map(s => Buffer.from(s.spanId!).toString('hex')),
    );
    expect((await post(p, encodeRequest(request))).status).toBe(200);

    await waitFor(() => sink.spans().length === 5, 'five spans at the sink');
    expect([...sink.spanIds()].sort()).toEqual(sent.sort());
    expect(Buffer.concat(sink.rawBodies).includes('hunter2-secret')).toBe(
      false,
    );
    await waitFor(
      () => p.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    expect(p.accounting.snapshot()).toMatchObject({
      received: 5,
      accepted: 5,
      exported: 5,
      refused: 0,
      dropped: 0,
      balanced: true,
    });

    const text = await registry.metrics();
    expect(text).not.toContain('hunter2');
    expect(text).toContain(`${PIPELINE_METRICS.spansReceived} 5`);
    expect(text).toContain(
      `${PIPELINE_METRICS.spansExported}{exporter="sink"} 5`,
    );
    expect(text).toContain(
      `${PIPELINE_METRICS.redactions}{action="mask",location="span"} 1`,
    );
    expect(text).toContain(`${PIPELINE_METRICS.requests}{status="200"} 1`);
    expect(text).toContain(
      `${PIPELINE_METRICS.queueCapacity}{exporter="sink"} 1000`,
    );
    expect(text).toContain(
      `${PIPELINE_METRICS.memoryLimitBytes}{limit="hard"}`,
    );
  });

  it('keeps redacted values out of exports when the tail sampler holds spans as bytes', async () => {
    const p = make(
      {},
      createTailSampler({
        decisionWaitMs: 20,
        tickIntervalMs: 10,
        policies: [{ name: 'all', type: 'always_sample' }],
      }),
    );
    const request = makeRequest({ checkout: 3 });
    const spans = request.resourceSpans![0].scopeSpans![0].spans!;
    spans[1].attributes!.push(str('db.password', 'hunter2-secret'));
    expect((await post(p, encodeRequest(request))).status).toBe(200);

    await waitFor(() => sink.spans().length === 3, 'three spans at the sink');
    expect(Buffer.concat(sink.rawBodies).includes('hunter2-secret')).toBe(
      false,
    );
    const exported = new Map(
      sink.spans().map(s => [Buffer.from(s.spanId!).toString('hex'), s]),
    );
    for (const span of spans) {
      const out = exported.get(Buffer.from(span.spanId!).toString('hex'))!;
      expect(out.name).toBe(span.name);
      expect(String(out.startTimeUnixNano)).toBe(
        String(span.startTimeUnixNano),
      );
    }
  });

  it('counts invalid spans as refused and still exports the valid ones', async () => {
    const p = make();
    const body = encodeRequest({
      resourceSpans: [
        makeResourceSpans('a', [
          makeSpan(),
          makeSpan({ traceId: Buffer.alloc(16) }),
        ]),
      ],
    });
    expect((await post(p, body)).status).toBe(200);
    await waitFor(() => sink.spans().length === 1, 'the valid span');
    await waitFor(
      () => p.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    expect(p.accounting.snapshot()).toMatchObject({
      received: 2,
      refused: 1,
      refusedByReason: { invalid: 1 },
      exported: 1,
      balanced: true,
    });
  });

  it('drops spans with reason no_exporter when none is configured', async () => {
    const p = make({ exporters: [] });
    await post(p, encodeRequest(makeRequest({ a: 4 })));
    await waitFor(() => p.accounting.snapshot().dropped === 4, 'dropped');
    expect(p.accounting.snapshot()).toMatchObject({
      droppedByReason: { no_exporter: 4 },
      balanced: true,
    });
    expect(await registry.metrics()).toContain(
      `${PIPELINE_METRICS.spansDropped}{reason="no_exporter"} 4`,
    );
  });

  it('reports its exporter queues and the spans they failed to deliver through exportStatus', async () => {
    sink.reply = () => ({ status: 400 });
    const p = make({
      exporters: [{ name: 'sink', endpoint: sink.url, queueSize: 7 }],
    });
    expect(p.exportStatus()).toEqual({
      queueSize: 0,
      queueCapacity: 7,
      failedSpans: 0,
    });
    await post(p, encodeRequest(makeRequest({ a: 3 })));
    await waitFor(() => p.exportStatus().failedSpans === 3, 'failed spans');
    expect(p.exportStatus().queueSize).toBe(0);
  });

  it('fans out to every exporter and counts each span once', async () => {
    const second = await new OtlpSink().start();
    try {
      const p = make({
        exporters: [
          { name: 'one', endpoint: sink.url },
          { name: 'two', endpoint: second.url },
        ],
      });
      await post(p, encodeRequest(makeRequest({ a: 3 })));
      await waitFor(
        () => sink.spans().length === 3 && second.spans().length === 3,
        'both sinks',
      );
      await waitFor(
        () => p.accounting.snapshot().inFlight === 0,
        'nothing in flight',
      );
      expect(p.accounting.snapshot()).toMatchObject({
        exported: 3,
        balanced: true,
      });
    } finally {
      await second.stop();
    }
  });

  it('refuses above the memory limit with Retry-After and recovers', async () => {
    sink.reply = () => ({ status: 0 });
    const p = make({
      memory: { softLimitSpans: 5, hardLimitSpans: 8, retryAfterSeconds: 2 },
      exporters: [{ name: 'sink', endpoint: sink.url, timeoutMs: 100_000 }],
    });
    expect((await post(p, encodeRequest(makeRequest({ a: 5 })))).status).toBe(
      200,
    );
    // At the soft limit: refused before the body is even read.
    const early = await post(p, encodeRequest(makeRequest({ a: 1 })));
    expect(early.status).toBe(429);
    expect(early.headers['retry-after']).toBe('2');
    expect(p.accounting.snapshot()).toMatchObject({
      received: 5,
      balanced: true,
    });
    expect(await registry.metrics()).toContain(
      `${PIPELINE_METRICS.requests}{status="429"} 1`,
    );
  });

  it('counts a request refused before its spans are read, with its bytes', async () => {
    sink.reply = () => ({ status: 0 });
    const p = make({
      memory: { softLimitSpans: 5, hardLimitSpans: 8 },
      exporters: [{ name: 'sink', endpoint: sink.url, timeoutMs: 100_000 }],
    });
    await post(p, encodeRequest(makeRequest({ a: 5 })));
    const body = encodeRequest(makeRequest({ a: 3 }));
    const refused = await p.handle({
      contentType: PB,
      body: chunks(body),
      contentLength: String(body.length),
    });
    expect(refused.status).toBe(429);
    const metrics = await registry.metrics();
    // The spans were never decoded, so only the request counters see this refusal.
    expect(metrics).not.toMatch(
      new RegExp(`^${PIPELINE_METRICS.spansRefused}\\{`, 'm'),
    );
    expect(metrics).toContain(
      `${PIPELINE_METRICS.requestsRefused}{reason="memory_limit"} 1`,
    );
    expect(metrics).toContain(
      `${PIPELINE_METRICS.requestsRefusedBytes}{reason="memory_limit"} ${body.length}`,
    );
  });

  it('reserves memory for a body as it is read and counts it once accepted', async () => {
    const p = make();
    const body = encodeRequest(makeRequest({ a: 3 }));
    let usageWhileReading = 0;
    async function* slow() {
      yield body.subarray(0, 10);
      usageWhileReading = p.memoryUsage().bytes;
      yield body.subarray(10);
    }
    expect((await p.handle({ contentType: PB, body: slow() })).status).toBe(
      200,
    );
    expect(usageWhileReading).toBe(10 * MEMORY_PER_WIRE_BYTE.protobuf);
  });

  it('refuses a request that would cross the hard limit as a whole, after decoding it', async () => {
    sink.reply = () => ({ status: 0 });
    const p = make({
      memory: { softLimitSpans: 5, hardLimitSpans: 8, retryAfterSeconds: 2 },
      exporters: [{ name: 'sink', endpoint: sink.url, timeoutMs: 100_000 }],
    });
    expect((await post(p, encodeRequest(makeRequest({ a: 4 })))).status).toBe(
      200,
    );
    const refused = await post(p, encodeRequest(makeRequest({ a: 5 })));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(p.accounting.snapshot()).toMatchObject({
      received: 9,
      refusedByReason: { memory_limit: 5 },
      balanced: true,
    });
    expect(p.memoryUsage().spans).toBe(4);
  });

  it('calls span listeners with sanitized batches before sampling', async () => {
    const seen: SpanBatch[] = [];
    const p = make({}, outputs => new DropAllSampler(outputs));
    const unsubscribe = p.onSpans(b => seen.push(b));
    const request = makeRequest({ a: 2 });
    request.resourceSpans![0].scopeSpans![0].spans![0].attributes!.push(
      str('api_key', 'abc'),
    );
    await post(p, encodeRequest(request));
    expect(seen).toHaveLength(1);
    expect(seen[0].spanCount).toBe(2);
    const attrs = seen[0].resourceSpans[0].scopeSpans![0].spans![0].attributes!;
    expect(attrs.find(a => a.key === 'api_key')!.value).toEqual({
      stringValue: '****',
    });
    unsubscribe();
    await post(p, encodeRequest(makeRequest({ a: 1 })));
    expect(seen).toHaveLength(1);
  });

  it('counts what the sampler holds and drops', async () => {
    let stage!: HalfSampler;
    const p = make({}, outputs => (stage = new HalfSampler(outputs)));
    await post(p, encodeRequest(makeRequest({ a: 4 })));
    expect(p.accounting.snapshot()).toMatchObject({
      held: { sampler: 4 },
      inFlight: 4,
      balanced: true,
    });
    await stage.flush();
    await waitFor(
      () => p.accounting.snapshot().inFlight === 0,
      'sampler output exported',
    );
    expect(p.accounting.snapshot()).toMatchObject({
      exported: 2,
      droppedByReason: { sampled_out: 2 },
      balanced: true,
    });
    expect(sink.spans()).toHaveLength(2);
  });

  it('flushes the sampler and batcher on shutdown, then refuses', async () => {
    const p = make(
      { batch: { timeoutMs: 60_000 } },
      outputs => new HalfSampler(outputs),
    );
    await post(p, encodeRequest(makeRequest({ a: 2 })));
    await p.shutdown();
    expect(sink.spans()).toHaveLength(1);
    expect(p.accounting.snapshot()).toMatchObject({
      exported: 1,
      dropped: 1,
      inFlight: 0,
      balanced: true,
    });
    const refused = await post(p, encodeRequest(makeRequest({ a: 1 })));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    // The line an operator looks for to tell that the shutdown ran to its end.
    expect(logged).toContain(
      'pipeline drained: 2 spans held by the sampler, 0 in the batcher and 0 exporting at shutdown; 0 left in flight',
    );
  });

  it('re-uses a registry across pipeline restarts', () => {
    make();
    expect(() => createPipeline({ config: {}, registry })).not.toThrow();
  });
});
