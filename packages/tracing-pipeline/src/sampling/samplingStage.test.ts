import { Registry } from 'prom-client';
import {
  ROOT_CONTEXT,
  SpanKind,
  context as apiContext,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace as apiTrace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { SAMPLING_METRICS } from '@internal/tracing-model';
import { ExportTraceServiceRequestCodec } from '../otlp/otlpRoot';
import { Span, SpanBatch, SPAN_KIND } from '../otlp/model';
import { createSamplingStage, SamplingStageOptions } from './samplingStage';
import { isSampled, thresholdForRate, traceIdRandomness } from './consistent';
import {
  ManualClock,
  RecordingOutputs,
  StaticPolicySource,
  batchOf,
  hex,
  makeSpan,
  policy,
  randomBytes,
  seededRandom,
  spanValue,
} from './testing';

const random = seededRandom(2024);
const newId = () => randomBytes(random, 16);

function stage(
  source: StaticPolicySource,
  extra: Partial<SamplingStageOptions> = {},
) {
  const clock = new ManualClock();
  const outputs = new RecordingOutputs();
  const registry = new Registry();
  const s = createSamplingStage({
    policySource: source,
    registry,
    clock: clock.now,
    ...extra,
    tail: { decisionWaitMs: 5000, tickIntervalMs: 0, ...extra.tail },
  })(outputs);
  return { stage: s, clock, outputs, registry };
}

/** A trace across services: front root (SERVER) → back SERVER → db INTERNAL. */
function threeServiceTrace(
  opts: { error?: 'front' | 'back' | 'db'; slowMs?: number } = {},
) {
  const traceId = newId();
  const root = makeSpan({
    traceId,
    kind: SPAN_KIND.SERVER,
    name: 'GET /checkout',
    error: opts.error === 'front',
    durationMs: opts.slowMs,
  });
  const back = makeSpan({
    traceId,
    parentSpanId: root.spanId!,
    kind: SPAN_KIND.SERVER,
    name: 'charge',
    error: opts.error === 'back',
  });
  const db = makeSpan({
    traceId,
    parentSpanId: back.spanId!,
    kind: SPAN_KIND.INTERNAL,
    name: 'SELECT',
    error: opts.error === 'db',
  });
  return {
    traceId,
    front: [root],
    back: [back],
    db: [db],
    all: [root, back, db],
  };
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Each trace id → how many of its spans were forwarded. */
function forwardedPerTrace(outputs: RecordingOutputs): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of outputs.forwardedSpans()) {
    const k = hex(s.traceId!);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

describe('createSamplingStage', () => {
  const services = {
    front: policy(
      { type: 'probabilistic', rate: 0.3 },
      { alwaysKeep: { keepErrors: true, keepSlowerThanMs: 2000 } },
    ),
    back: policy(
      { type: 'probabilistic', rate: 1 },
      { alwaysKeep: { keepErrors: true } },
    ),
    db: policy(
      { type: 'probabilistic', rate: 0.01 },
      { alwaysKeep: { keepErrors: true } },
    ),
  };

  it('gives all spans of a trace the same decision, with spans interleaved across batches and services', () => {
    const {
      stage: s,
      clock,
      outputs,
    } = stage(new StaticPolicySource(services));
    const traces = Array.from({ length: 2000 }, (_, i) =>
      threeServiceTrace({
        error:
          i % 20 === 0 ? (['front', 'back', 'db'] as const)[i % 3] : undefined,
      }),
    );
    // Spans arrive per service, in shuffled batches of 50, the root often last (as SDKs export
    // the root when it ends).
    const pieces = shuffle(
      traces.flatMap(
        t =>
          [
            ['front', t.front],
            ['back', t.back],
            ['db', t.db],
          ] as const,
      ),
    );
    for (let i = 0; i < pieces.length; i += 50) {
      const byService: Record<string, Span[]> = {};
      for (const [service, spans] of pieces.slice(i, i + 50))
        (byService[service] ??= []).push(...spans);
      s.consume(batchOf(byService));
      clock.advance(2);
    }
    s.tick(clock.advance(5000));
    expect(s.held().spans).toBe(0);

    const counts = forwardedPerTrace(outputs);
    for (const n of counts.values()) expect(n).toBe(3);
    const t = thresholdForRate(0.3);
    for (const [i, tr] of traces.entries()) {
      const expected =
        i % 20 === 0 || isSampled(traceIdRandomness(tr.traceId), t);
      expect(counts.has(hex(tr.traceId))).toBe(expected);
    }
  });

  it('writes the decision threshold into every kept span, erasing it for traces kept only for errors', () => {
    const {
      stage: s,
      clock,
      outputs,
    } = stage(new StaticPolicySource(services));
    const t = thresholdForRate(0.3);
    let probabilistic: ReturnType<typeof threeServiceTrace> | undefined;
    let errorOnly: ReturnType<typeof threeServiceTrace> | undefined;
    while (!probabilistic || !errorOnly) {
      const tr = threeServiceTrace({ error: 'back' });
      if (isSampled(traceIdRandomness(tr.traceId), t)) probabilistic ??= tr;
      else errorOnly ??= tr;
    }
    // an upstream 100% threshold: kept only for its error, the trace no longer carries one
    for (const sp of errorOnly.all) sp.traceState = 'ot=th:0,vendor=1';
    s.consume(
      batchOf({
        front: [...probabilistic.front, ...errorOnly.front],
        back: [...probabilistic.back, ...errorOnly.back],
      }),
    );
    s.tick(clock.advance(5000));
    s.consume(batchOf({ db: [...probabilistic.db, ...errorOnly.db] })); // late spans
    const states = new Map(
      outputs.forwardedSpans().map(sp => [hex(sp.spanId!), sp.traceState]),
    );
    for (const sp of probabilistic.all)
      expect(states.get(hex(sp.spanId!))).toBe(`ot=th:${t.th}`);
    for (const sp of errorOnly.all)
      expect(states.get(hex(sp.spanId!))).toBe('vendor=1');
  });

  it('keeps slow traces whole', () => {
    const {
      stage: s,
      clock,
      outputs,
    } = stage(
      new StaticPolicySource({
        front: policy(
          { type: 'probabilistic', rate: 0 },
          { alwaysKeep: { keepErrors: false, keepSlowerThanMs: 2000 } },
        ),
      }),
    );
    const slow = threeServiceTrace({ slowMs: 2500 });
    const fast = threeServiceTrace({ slowMs: 1500 });
    s.consume(
      batchOf({
        front: [...slow.front, ...fast.front],
        back: [...slow.back, ...fast.back],
        db: [...slow.db, ...fast.db],
      }),
    );
    s.tick(clock.advance(5000));
    expect([...forwardedPerTrace(outputs)]).toEqual([[hex(slow.traceId), 3]]);
  });

  it('two stages (replicas) seeing the same traces decide the same', () => {
    const a = stage(new StaticPolicySource(services));
    const b = stage(new StaticPolicySource(services));
    const traces = Array.from({ length: 500 }, () => threeServiceTrace());
    for (const x of [a, b]) {
      for (const tr of traces)
        x.stage.consume(batchOf({ front: tr.front, back: tr.back, db: tr.db }));
      x.stage.tick(x.clock.advance(5000));
    }
    expect(a.outputs.forwardedTraceIds()).toEqual(
      b.outputs.forwardedTraceIds(),
    );
    expect(a.outputs.forwardedTraceIds().size).toBeGreaterThan(100);
  });

  it('applies policy changes live; buffered traces are decided with the policy current at decision time', () => {
    const source = new StaticPolicySource({
      front: policy({ type: 'probabilistic', rate: 0 }),
    });
    const { stage: s, clock, outputs } = stage(source);
    const traces = Array.from({ length: 50 }, () => threeServiceTrace());
    for (const tr of traces)
      s.consume(batchOf({ front: tr.front, back: tr.back }));
    source.set('front', policy({ type: 'probabilistic', rate: 1 }));
    s.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toHaveLength(100);
  });

  it('replaceTailPolicies keeps buffered traces', () => {
    const {
      stage: s,
      clock,
      outputs,
    } = stage(
      new StaticPolicySource({}, policy({ type: 'probabilistic', rate: 0 })),
    );
    const tr = threeServiceTrace();
    s.consume(batchOf({ front: tr.front }));
    s.replaceTailPolicies([{ name: 'all', type: 'always_sample' }]);
    s.tick(clock.advance(5000));
    // The root also carries why it was kept (whyKept.test.ts); the rest is unchanged.
    const withoutRule = (v: Record<string, unknown>) => ({
      ...v,
      attributes: (v.attributes as Array<{ key: string }>).filter(
        a => !a.key.startsWith('tracing_health.sampling.'),
      ),
    });
    expect(outputs.forwardedSpanValues().map(withoutRule)).toEqual(
      tr.front.map(spanValue),
    );
  });

  describe('with tail buffering disabled', () => {
    it('decides on arrival; later spans follow, so traces stay whole', () => {
      const { stage: s, outputs } = stage(new StaticPolicySource(services), {
        tail: { enabled: false },
      });
      const traces = Array.from({ length: 300 }, () => threeServiceTrace());
      for (const tr of traces) s.consume(batchOf({ back: tr.back }));
      expect(s.held().spans).toBe(0);
      for (const tr of traces)
        s.consume(batchOf({ front: tr.front, db: tr.db }));
      const counts = forwardedPerTrace(outputs);
      for (const n of counts.values()) expect(n).toBe(3);
      // decided by the first spans seen (back: 100%), not the root's 30%
      expect(counts.size).toBe(300);
    });

    it('always-keep only sees the first batch of a trace', () => {
      const { stage: s, outputs } = stage(
        new StaticPolicySource({
          front: policy(
            { type: 'probabilistic', rate: 0 },
            { alwaysKeep: { keepErrors: true } },
          ),
        }),
        { tail: { enabled: false } },
      );
      const early = threeServiceTrace({ error: 'front' });
      const late = threeServiceTrace({ error: 'front' });
      s.consume(batchOf({ front: early.front }));
      s.consume(batchOf({ db: late.db })); // decided (default policy, no error seen)…
      s.consume(batchOf({ front: late.front })); // …so the error is dropped with its trace
      expect([...forwardedPerTrace(outputs).keys()]).toEqual([
        hex(early.traceId),
      ]);
    });
  });

  it('exposes metrics on the given registry only', async () => {
    const {
      stage: s,
      clock,
      registry,
    } = stage(
      new StaticPolicySource({
        front: policy({
          type: 'adaptive',
          targetTracesPerSecond: 10,
          minRate: 0.01,
          maxRate: 1,
        }),
      }),
    );
    for (let i = 0; i < 100; i++)
      s.consume(batchOf({ front: threeServiceTrace().front }));
    s.tick(clock.advance(5000));
    const text = await registry.metrics();
    expect(text).toMatch(
      new RegExp(
        `${SAMPLING_METRICS.decisions}\\{sampler="head",policy="adaptive",decision="(not_)?sampled"\\}`,
      ),
    );
    expect(text).toContain(`${SAMPLING_METRICS.tailTraces} 0`);
    expect(text).toContain(`${SAMPLING_METRICS.rate}{service="front"}`);
    expect(s.currentRates()).toEqual({ front: 0.01 });
    await s.shutdown();
  });
});

describe('with the OpenTelemetry JS SDK', () => {
  /**
   * OTel JS (sdk-trace-base 2.12) TraceIdRatioBasedSampler: XOR of the four big-endian 32-bit
   * words of the trace id, sampled iff that is < floor(ratio * 0xffffffff) (2^32 at ratio 1).
   */
  function otelJsRatioSampled(traceIdHex: string, ratio: number): boolean {
    let acc = 0;
    for (let i = 0; i < 32; i += 8)
      acc = (acc ^ parseInt(traceIdHex.slice(i, i + 8), 16)) >>> 0;
    const bound = ratio >= 1 ? 0x100000000 : Math.floor(ratio * 0xffffffff);
    return acc < bound;
  }

  it('our description of TraceIdRatioBasedSampler matches the real one', () => {
    for (const ratio of [0.01, 0.1, 0.5, 0.99]) {
      const sdk = new TraceIdRatioBasedSampler(ratio);
      for (let i = 0; i < 2000; i++) {
        const id = hex(newId());
        const real = sdk.shouldSample(ROOT_CONTEXT, id).decision;
        expect(real === SamplingDecision.RECORD_AND_SAMPLED).toBe(
          otelJsRatioSampled(id, ratio),
        );
      }
    }
  });

  it('is not nested with the consistent threshold: the two samplers are independent', () => {
    const ids = Array.from({ length: 100_000 }, () => newId());
    const t = thresholdForRate(0.5);
    const sdkKept = ids.filter(id => otelJsRatioSampled(hex(id), 0.5));
    const both = sdkKept.filter(id =>
      isSampled(traceIdRandomness(id), t),
    ).length;
    // independent: P(both) = 0.25, not 0.5 as nested keep-sets would give
    const n = ids.length;
    expect(Math.abs(both - n * 0.25)).toBeLessThan(
      5 * Math.sqrt(n * 0.25 * 0.75),
    );
  });

  it('never drops part of a trace the SDK sampled (ParentBased(TraceIdRatioBased) across two services)', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = (service: string) =>
      new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        sampler: new ParentBasedSampler({
          root: new TraceIdRatioBasedSampler(0.5),
        }),
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
    const front = provider('front').getTracer('test');
    const back = provider('back').getTracer('test');
    const propagator = new W3CTraceContextPropagator();
    for (let i = 0; i < 400; i++) {
      const root = front.startSpan(
        'GET /checkout',
        { kind: SpanKind.SERVER },
        ROOT_CONTEXT,
      );
      const rootCtx = apiTrace.setSpan(ROOT_CONTEXT, root);
      const call = front.startSpan(
        'POST /charge',
        { kind: SpanKind.CLIENT },
        rootCtx,
      );
      const carrier: Record<string, string> = {};
      propagator.inject(
        apiTrace.setSpan(rootCtx, call),
        carrier,
        defaultTextMapSetter,
      );
      const remote = propagator.extract(
        apiContext.active(),
        carrier,
        defaultTextMapGetter,
      );
      const server = back.startSpan(
        'charge',
        { kind: SpanKind.SERVER },
        remote,
      );
      const inner = back.startSpan(
        'SELECT',
        { kind: SpanKind.INTERNAL },
        apiTrace.setSpan(remote, server),
      );
      if (i % 10 === 0) inner.setStatus({ code: 2 });
      for (const sp of [inner, server, call, root]) sp.end();
    }
    const finished = exporter.getFinishedSpans();
    const sdkTraces = new Set(finished.map(s => s.spanContext().traceId));
    // the SDK kept about half, and all four spans of each kept trace
    expect(finished.length).toBe(sdkTraces.size * 4);
    expect(sdkTraces.size).toBeGreaterThan(140);
    expect(sdkTraces.size).toBeLessThan(260);

    // Export them as OTLP protobuf, as the SDK exporter would, in small out-of-order requests.
    const batches: SpanBatch[] = [];
    const shuffled = shuffle(finished);
    for (let i = 0; i < shuffled.length; i += 7) {
      const bytes = ProtobufTraceSerializer.serializeRequest(
        shuffled.slice(i, i + 7) as any,
      )!;
      const request = ExportTraceServiceRequestCodec.decode(bytes);
      const spanCount = request.resourceSpans!.reduce(
        (n, rs) =>
          n + rs.scopeSpans!.reduce((m, ss) => m + ss.spans!.length, 0),
        0,
      );
      batches.push({
        resourceSpans: request.resourceSpans!,
        spanCount,
        bytes: bytes.length,
      });
    }

    const rate = 0.3;
    const source = new StaticPolicySource({
      front: policy(
        { type: 'probabilistic', rate },
        { alwaysKeep: { keepErrors: true } },
      ),
      back: policy(
        { type: 'probabilistic', rate: 0.05 },
        { alwaysKeep: { keepErrors: true } },
      ),
    });
    const countsByTailEnabled = new Map<boolean, Map<string, number>>();
    for (const tailEnabled of [true, false]) {
      const {
        stage: s,
        clock,
        outputs,
      } = stage(source, { tail: { enabled: tailEnabled } });
      for (const b of batches) s.consume(b);
      s.tick(clock.advance(5000));
      const counts = forwardedPerTrace(outputs);
      for (const n of counts.values()) expect(n).toBe(4);
      expect(
        outputs.droppedSpans('sampling') + outputs.forwardedSpans().length,
      ).toBe(finished.length);
      countsByTailEnabled.set(tailEnabled, counts);
    }

    // With tail sampling: decided by the root's service (front, 30%), plus every trace with an
    // error in back.
    const tailCounts = countsByTailEnabled.get(true)!;
    expect(tailCounts).toBeDefined();
    const t = thresholdForRate(rate);
    for (const id of sdkTraces) {
      const idBytes = Uint8Array.from(Buffer.from(id, 'hex'));
      const hasError = finished.some(
        sp => sp.spanContext().traceId === id && sp.status.code === 2,
      );
      expect(tailCounts.has(id)).toBe(
        hasError || isSampled(traceIdRandomness(idBytes), t),
      );
    }
  });
});
