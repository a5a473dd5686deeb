import { Registry } from 'prom-client';
import { SAMPLING_METRICS } from '@internal/tracing-model';
import { TailPolicy, validateTailPolicies } from './policies';
import { TailSampler, TailSamplerOptions } from './tailSampler';
import { isSampled, thresholdForRate, traceIdRandomness } from './consistent';
import { Span } from '../otlp/model';
import {
  ManualClock,
  RecordingOutputs,
  SpanSpec,
  batchOf,
  hex,
  makeSpan,
  randomBytes,
  receivedBatchOf,
  seededRandom,
  spanValue,
  attrs,
} from './testing';
import { markSpanModified } from '../otlp/wire';

const random = seededRandom(99);
const newId = () => randomBytes(random, 16);

function setup(policies: unknown[], options: Partial<TailSamplerOptions> = {}) {
  const parsed = validateTailPolicies(policies);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  const clock = new ManualClock();
  const outputs = new RecordingOutputs();
  const registry = new Registry();
  const tail = new TailSampler(outputs, {
    decisionWaitMs: 5000,
    tickIntervalMs: 0,
    clock: clock.now,
    registry,
    policies: parsed.value,
    ...options,
  });
  return { tail, clock, outputs, registry };
}

/** A trace of `n` spans (root first) with per-span overrides. */
function trace(
  n: number,
  overrides: Array<Partial<SpanSpec>> = [],
  traceId = newId(),
): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < n; i++) {
    spans.push(
      makeSpan({
        traceId,
        parentSpanId: i === 0 ? undefined : spans[0].spanId!,
        name: `op-${i}`,
        ...overrides[i],
      }),
    );
  }
  return spans;
}

async function metric(
  registry: Registry,
  name: string,
  labels?: string,
): Promise<number> {
  const text = await registry.metrics();
  const line = text
    .split('\n')
    .find(l => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('TailSampler policies', () => {
  // R of this id is 0xc0000000000000: kept at rate >= 0.25, not at 0.2
  const idR75 = Uint8Array.from([
    ...new Array(9).fill(3),
    0xc0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);

  it.each<[string, unknown, Span[], boolean]>([
    ['always_sample', { type: 'always_sample' }, trace(2), true],
    [
      'status_code ERROR, error on a child',
      { type: 'status_code', statusCodes: ['ERROR'] },
      trace(3, [{}, {}, { error: true }]),
      true,
    ],
    [
      'status_code ERROR, no error',
      { type: 'status_code', statusCodes: ['ERROR'] },
      trace(3),
      false,
    ],
    [
      'status_code UNSET',
      { type: 'status_code', statusCodes: ['UNSET'] },
      trace(1),
      true,
    ],
    [
      'latency over',
      { type: 'latency', thresholdMs: 100 },
      trace(2, [{ durationMs: 150 }]),
      true,
    ],
    [
      'latency spans trace (earliest start, latest end)',
      { type: 'latency', thresholdMs: 100 },
      trace(2, [
        { startMs: 0, durationMs: 10 },
        { startMs: 95, durationMs: 10 },
      ]),
      true,
    ],
    [
      'latency under',
      { type: 'latency', thresholdMs: 100 },
      trace(2, [{ durationMs: 50 }]),
      false,
    ],
    [
      'latency band, above upper',
      { type: 'latency', thresholdMs: 100, upperThresholdMs: 200 },
      trace(1, [{ durationMs: 250 }]),
      false,
    ],
    [
      'string_attribute match',
      { type: 'string_attribute', key: 'tenant', values: ['acme'] },
      trace(2, [{}, { attributes: { tenant: 'acme' } }]),
      true,
    ],
    [
      'string_attribute no match',
      { type: 'string_attribute', key: 'tenant', values: ['acme'] },
      trace(2, [{}, { attributes: { tenant: 'other' } }]),
      false,
    ],
    [
      'string_attribute on the resource',
      { type: 'string_attribute', key: 'service.name', values: ['svc'] },
      trace(1),
      true,
    ],
    [
      'string_attribute regex',
      {
        type: 'string_attribute',
        key: 'http.route',
        values: ['^/admin/'],
        regex: true,
      },
      trace(1, [{ attributes: { 'http.route': '/admin/users' } }]),
      true,
    ],
    [
      // Exponential with JavaScript's RegExp (the test would hang); linear on RE2.
      'string_attribute regex ((.)+)+X on a 10,000-character value',
      {
        type: 'string_attribute',
        key: 'q',
        values: ['((.)+)+X', '(a+a+)+y'],
        regex: true,
      },
      trace(1, [{ attributes: { q: `${'a'.repeat(10_000)}` } }]),
      false,
    ],
    [
      'string_attribute regex ((.)+)+X matching',
      {
        type: 'string_attribute',
        key: 'q',
        values: ['((.)+)+X'],
        regex: true,
      },
      trace(1, [{ attributes: { q: `${'a'.repeat(2_000)}X` } }]),
      true,
    ],
    [
      'string_attribute inverted',
      {
        type: 'string_attribute',
        key: 'tenant',
        values: ['acme'],
        invertMatch: true,
      },
      trace(1, [{ attributes: { tenant: 'acme' } }]),
      false,
    ],
    [
      'string_attribute inverted, absent',
      {
        type: 'string_attribute',
        key: 'tenant',
        values: ['acme'],
        invertMatch: true,
      },
      trace(1),
      true,
    ],
    [
      'numeric_attribute in range',
      {
        type: 'numeric_attribute',
        key: 'http.status_code',
        minValue: 500,
        maxValue: 599,
      },
      trace(1, [{ attributes: { 'http.status_code': 503 } }]),
      true,
    ],
    [
      'numeric_attribute out of range',
      {
        type: 'numeric_attribute',
        key: 'http.status_code',
        minValue: 500,
        maxValue: 599,
      },
      trace(1, [{ attributes: { 'http.status_code': 200 } }]),
      false,
    ],
    [
      'numeric_attribute double, min only',
      { type: 'numeric_attribute', key: 'score', minValue: 0.5 },
      trace(1, [{ attributes: { score: 0.75 } }]),
      true,
    ],
    [
      'numeric_attribute inverted',
      { type: 'numeric_attribute', key: 'x', maxValue: 10, invertMatch: true },
      trace(1, [{ attributes: { x: 5 } }]),
      false,
    ],
    [
      'probabilistic kept',
      { type: 'probabilistic', rate: 0.25 },
      trace(2, [], idR75),
      true,
    ],
    [
      'probabilistic not kept',
      { type: 'probabilistic', rate: 0.2 },
      trace(2, [], idR75),
      false,
    ],
    ['span_count enough', { type: 'span_count', minSpans: 3 }, trace(3), true],
    [
      'span_count too few',
      { type: 'span_count', minSpans: 3 },
      trace(2),
      false,
    ],
    [
      'span_count too many',
      { type: 'span_count', minSpans: 1, maxSpans: 2 },
      trace(3),
      false,
    ],
    [
      'and: all keep',
      {
        type: 'and',
        policies: [
          { name: 'e', type: 'status_code', statusCodes: ['ERROR'] },
          { name: 's', type: 'span_count', minSpans: 2 },
        ],
      },
      trace(2, [{ error: true }]),
      true,
    ],
    [
      'and: one does not',
      {
        type: 'and',
        policies: [
          { name: 'e', type: 'status_code', statusCodes: ['ERROR'] },
          { name: 's', type: 'span_count', minSpans: 5 },
        ],
      },
      trace(2, [{ error: true }]),
      false,
    ],
    [
      'composite: first keeping sub-policy within budget',
      {
        type: 'composite',
        maxTotalSpansPerSecond: 100,
        policies: [
          { name: 'e', type: 'status_code', statusCodes: ['ERROR'] },
          { name: 'all', type: 'always_sample' },
        ],
        rateAllocation: [{ policy: 'e', percent: 50 }],
      },
      trace(2),
      true,
    ],
  ])('%s', (_, p, spans, kept) => {
    const { tail, clock, outputs } = setup([{ name: 'p', ...(p as object) }]);
    tail.consume(batchOf({ svc: spans }));
    expect(outputs.forwarded).toHaveLength(0);
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toHaveLength(kept ? spans.length : 0);
    expect(outputs.droppedSpans('sampling')).toBe(kept ? 0 : spans.length);
  });

  it('probabilistic policy agrees with the head thresholds on many ids and writes th', () => {
    const { tail, clock, outputs } = setup([
      { name: 'p', type: 'probabilistic', rate: 0.3 },
    ]);
    const ids = Array.from({ length: 2000 }, newId);
    for (const id of ids) tail.consume(batchOf({ svc: trace(1, [], id) }));
    tail.tick(clock.advance(5000));
    const t = thresholdForRate(0.3);
    const expected = new Set(
      ids.filter(id => isSampled(traceIdRandomness(id), t)).map(hex),
    );
    expect(outputs.forwardedTraceIds()).toEqual(expected);
    for (const span of outputs.forwardedSpans())
      expect(span.traceState).toBe(`ot=th:${t.th}`);
  });

  it('rate_limiting keeps traces while the spans of this second fit', () => {
    const { tail, clock, outputs } = setup([
      { name: 'r', type: 'rate_limiting', spansPerSecond: 10 },
    ]);
    for (let i = 0; i < 5; i++) tail.consume(batchOf({ svc: trace(3) }));
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toHaveLength(9); // 3 traces of 3; the 4th would make 12
  });

  it('rate_limiting and composite limits are the fleet’s: an owner of a quarter of the traces keeps a quarter', () => {
    let owners = 4;
    const { tail, clock, outputs } = setup(
      [
        { name: 'r', type: 'rate_limiting', spansPerSecond: 40 },
        {
          name: 'c',
          type: 'composite',
          maxTotalSpansPerSecond: 40,
          policies: [{ name: 'all', type: 'always_sample' }],
        },
      ],
      { share: () => 1 / owners },
    );
    // 10 spans/s for each policy here: 3 traces of 3 for `r`, then 3 more for `c`.
    for (let i = 0; i < 8; i++) tail.consume(batchOf({ svc: trace(3) }));
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toHaveLength(18);
    // One owner left: the whole limit, from the next second.
    owners = 1;
    for (let i = 0; i < 30; i++) tail.consume(batchOf({ svc: trace(3) }));
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toHaveLength(18 + 39 + 39);
  });

  it('composite charges allocations per sub-policy and stops at the first keeping one', () => {
    const { tail, clock, outputs } = setup([
      {
        name: 'c',
        type: 'composite',
        maxTotalSpansPerSecond: 10,
        policies: [
          { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
          { name: 'rest', type: 'always_sample' },
        ],
        rateAllocation: [{ policy: 'errors', percent: 40 }],
      },
    ]);
    // errors: budget 4 spans/s; rest: 6 spans/s
    const errors = Array.from({ length: 3 }, () => trace(2, [{ error: true }]));
    const others = Array.from({ length: 5 }, () => trace(2));
    for (const t of [...errors, ...others]) tail.consume(batchOf({ svc: t }));
    tail.tick(clock.advance(5000));
    const kept = outputs.forwardedTraceIds();
    expect(errors.filter(t => kept.has(hex(t[0].traceId!)))).toHaveLength(2);
    expect(others.filter(t => kept.has(hex(t[0].traceId!)))).toHaveLength(3);
  });
});

describe('TailSampler buffering', () => {
  it('keeps a trace with an error span anywhere whole, across batches and services', () => {
    const { tail, clock, outputs } = setup([
      { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
    ]);
    const spans = trace(6, [{}, {}, {}, {}, { error: true }, {}]);
    const other = trace(4);
    tail.consume(
      batchOf({ front: spans.slice(0, 2), back: other.slice(0, 2) }),
    );
    tail.consume(batchOf({ back: [...spans.slice(2, 5), ...other.slice(2)] }));
    clock.advance(1000);
    tail.consume(batchOf({ db: spans.slice(5) }));
    tail.tick(clock.advance(3999));
    expect(outputs.forwarded).toHaveLength(0);
    tail.tick(clock.advance(1));
    const forwarded = outputs.forwardedWithService();
    expect(forwarded.map(f => spanValue(f.span))).toEqual(
      expect.arrayContaining(spans.map(spanValue)),
    );
    expect(forwarded).toHaveLength(6);
    // spans stay under their own resource
    expect(
      forwarded.filter(f => f.service === 'db').map(f => spanValue(f.span)),
    ).toEqual([spanValue(spans[5])]);
    expect(outputs.droppedSpans('sampling')).toBe(4);
    expect(tail.held()).toEqual({ spans: 0, bytes: 0 });
  });

  it('late spans follow the cached decision', async () => {
    const { tail, clock, outputs, registry } = setup([
      { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
    ]);
    const kept = trace(3, [{ error: true }]);
    const dropped = trace(3);
    tail.consume(batchOf({ svc: [kept[0], dropped[0]] }));
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpanValues()).toEqual([spanValue(kept[0])]);
    // an error arriving late does not resurrect a dropped trace: one decision per trace
    tail.consume(
      batchOf({
        svc: [
          kept[1],
          kept[2],
          dropped[1],
          { ...dropped[2], status: { code: 2 } },
        ],
      }),
    );
    expect(outputs.forwardedSpanValues()).toEqual(kept.map(spanValue));
    expect(outputs.droppedSpans('sampling')).toBe(3);
    expect(tail.held().spans).toBe(0);
    expect(
      await metric(registry, SAMPLING_METRICS.lateSpans, 'decision="sampled"'),
    ).toBe(2);
    expect(
      await metric(
        registry,
        SAMPLING_METRICS.lateSpans,
        'decision="not_sampled"',
      ),
    ).toBe(2);
  });

  it('late spans of a kept trace get the same th', () => {
    const { tail, clock, outputs } = setup([
      { name: 'p', type: 'probabilistic', rate: 1 },
    ]);
    const spans = trace(2, [{}, { traceState: 'vendor=x' }]);
    tail.consume(batchOf({ svc: [spans[0]] }));
    tail.tick(clock.advance(5000));
    tail.consume(batchOf({ svc: [spans[1]] }));
    expect(outputs.forwardedSpans().map(s => s.traceState)).toEqual([
      'ot=th:0',
      'ot=th:0,vendor=x',
    ]);
  });

  it('forgets decisions beyond the cache sizes (then decides again)', () => {
    const { tail, clock, outputs } = setup(
      [{ name: 'errors', type: 'status_code', statusCodes: ['ERROR'] }],
      {
        decisionCache: { sampledSize: 1, notSampledSize: 1 },
      },
    );
    const a = trace(2, [{ error: true }]);
    const b = trace(2, [{ error: true }]);
    tail.consume(batchOf({ svc: [a[0], b[0]] }));
    tail.tick(clock.advance(5000));
    tail.consume(batchOf({ svc: [a[1], b[1]] }));
    // b's decision is cached; a's was evicted, so a[1] is buffered again
    expect(outputs.forwardedSpanValues()).toEqual(
      [a[0], b[0], b[1]].map(spanValue),
    );
    expect(tail.held().spans).toBe(1);
  });

  it('respects maxTraces under a flood of distinct traces, deciding the oldest early and counting it', async () => {
    const { tail, outputs, registry } = setup(
      [{ name: 'errors', type: 'status_code', statusCodes: ['ERROR'] }],
      {
        maxTraces: 100,
      },
    );
    const traces = Array.from({ length: 1000 }, (_, i) =>
      trace(2, [{ error: i % 10 === 0 }]),
    );
    for (let i = 0; i < traces.length; i += 10) {
      tail.consume(batchOf({ svc: traces.slice(i, i + 10).flat() }));
      expect(tail.stats().traces).toBeLessThanOrEqual(100);
    }
    expect(
      await metric(
        registry,
        SAMPLING_METRICS.earlyDecisions,
        'reason="max_traces"',
      ),
    ).toBe(900);
    // decided with the policies, not evicted: the oldest 900 include 90 error traces, all kept whole
    expect(outputs.forwardedSpans()).toHaveLength(180);
    expect(outputs.droppedSpans('sampling')).toBe(810 * 2);
    expect(await metric(registry, SAMPLING_METRICS.tailTraces)).toBe(100);
    // the oldest went first
    expect(outputs.forwardedTraceIds().has(hex(traces[0][0].traceId!))).toBe(
      true,
    );
    expect(outputs.forwardedTraceIds().has(hex(traces[990][0].traceId!))).toBe(
      false,
    );
  });

  it('respects maxBytes, counting early decisions by reason', async () => {
    const { tail, registry } = setup([{ name: 'all', type: 'always_sample' }], {
      maxBytes: 10_000,
    });
    for (let i = 0; i < 500; i++) {
      tail.consume(batchOf({ svc: trace(5) }, 100)); // 500 bytes per trace
      expect(tail.held().bytes).toBeLessThanOrEqual(10_000);
    }
    expect(tail.stats().traces).toBe(20);
    expect(
      await metric(
        registry,
        SAMPLING_METRICS.earlyDecisions,
        'reason="max_bytes"',
      ),
    ).toBe(480);
    expect(await metric(registry, SAMPLING_METRICS.tailBytes)).toBe(10_000);
  });

  it('replacePolicies keeps buffered traces and decides them with the new policies', () => {
    const { tail, clock, outputs } = setup([
      { name: 'none', type: 'span_count', minSpans: 1000 },
    ]);
    const spans = Array.from({ length: 10 }, () => trace(3));
    for (const t of spans) tail.consume(batchOf({ svc: t }));
    const parsed = validateTailPolicies([
      { name: 'all', type: 'always_sample' },
    ]);
    tail.replacePolicies(parsed.value as TailPolicy[]);
    expect(tail.held().spans).toBe(30);
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toHaveLength(30);
  });

  it('flush decides everything now; shutdown flushes and later spans pass through decisions at once', async () => {
    const { tail, outputs, registry } = setup([
      { name: 'all', type: 'always_sample' },
    ]);
    tail.consume(batchOf({ svc: trace(2) }));
    await tail.flush();
    expect(outputs.forwardedSpans()).toHaveLength(2);
    expect(
      await metric(registry, SAMPLING_METRICS.earlyDecisions, 'reason="flush"'),
    ).toBe(1);
    await tail.shutdown();
    tail.consume(batchOf({ svc: trace(1) }));
    expect(outputs.forwardedSpans()).toHaveLength(3);
    expect(tail.held().spans).toBe(0);
  });

  it('holds spans as bytes and forwards them with their values unchanged', () => {
    const { tail, clock, outputs } = setup([
      { name: 'all', type: 'always_sample' },
    ]);
    const traceId = newId();
    const spans = [0, 1].map(i =>
      makeSpan({
        traceId,
        name: `op-${i}`,
        attributes: { 'http.method': 'GET', long: 'y'.repeat(300), n: i },
      }),
    );
    spans[1].events = [{ name: 'retry', attributes: attrs({ attempt: 2 }) }];
    // 64-bit times survive exactly (beyond a double's 53 bits)
    const exact = 1700000000123456789n;
    spans[0].endTimeUnixNano = {
      low: Number(exact & 0xffffffffn),
      high: Number(exact >> 32n),
      unsigned: true,
      toNumber: () => Number(exact),
      toString: () => String(exact),
    };
    const expected = spans.map(spanValue);
    // one span arrives as protobuf (its bytes are copied), one as objects (it is encoded)
    tail.consume(receivedBatchOf({ svc: [spans[0]] }));
    tail.consume(batchOf({ svc: [spans[1]] }));
    expect(tail.held().spans).toBe(2);
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpanValues()).toEqual(expected);
    expect(String(outputs.forwardedSpans()[0].endTimeUnixNano)).toBe(
      '1700000000123456789',
    );
  });

  it('forwards what a stage changed after receipt, not the bytes that arrived', () => {
    const { tail, clock, outputs } = setup([
      { name: 'all', type: 'always_sample' },
    ]);
    const traceId = newId();
    const batch = receivedBatchOf({
      svc: [0, 1].map(i =>
        makeSpan({ traceId, attributes: { 'user.email': `u${i}@x.test` } }),
      ),
    });
    const rs = batch.resourceSpans[0];
    const [redacted, untouched] = rs.scopeSpans![0].spans!;
    // what the sanitizer does: change the span in place and mark it
    redacted.attributes![0].value = { stringValue: '[REDACTED]' };
    markSpanModified(rs, redacted);
    tail.consume(batch);
    tail.tick(clock.advance(5000));
    const values = outputs
      .forwardedSpans()
      .map(s => s.attributes?.[0]?.value?.stringValue);
    expect(values).toEqual(['[REDACTED]', 'u1@x.test']);
    expect(outputs.forwardedSpanValues()[1]).toEqual(spanValue(untouched));
  });

  it('reads attributes of spans held as bytes', () => {
    const { tail, clock, outputs } = setup([
      {
        name: 'vip',
        type: 'string_attribute',
        key: 'customer.tier',
        values: ['vip'],
      },
    ]);
    const vip = trace(2, [{}, { attributes: { 'customer.tier': 'vip' } }]);
    const other = trace(2, [{}, { attributes: { 'customer.tier': 'free' } }]);
    tail.consume(receivedBatchOf({ svc: [...vip, ...other] }));
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedTraceIds()).toEqual(
      new Set([hex(vip[0].traceId!)]),
    );
  });

  it('holds the decoded objects themselves with compactHeldSpans false', () => {
    const { tail, clock, outputs } = setup(
      [{ name: 'all', type: 'always_sample' }],
      { compactHeldSpans: false },
    );
    const spans = trace(2);
    tail.consume(batchOf({ svc: spans }));
    tail.tick(clock.advance(5000));
    expect(outputs.forwardedSpans()).toEqual(spans);
    expect(outputs.forwardedSpans()[0]).toBe(spans[0]);
  });

  it('decisionWaitMs 0 decides on arrival', () => {
    const { tail, outputs } = setup([{ name: 'all', type: 'always_sample' }], {
      decisionWaitMs: 0,
    });
    tail.consume(batchOf({ svc: trace(2) }));
    expect(outputs.forwardedSpans()).toHaveLength(2);
  });

  it('drops spans with invalid trace ids under their own reason', async () => {
    const { tail, outputs, registry } = setup([
      { name: 'all', type: 'always_sample' },
    ]);
    tail.consume(batchOf({ svc: [makeSpan({ traceId: new Uint8Array(8) })] }));
    expect(outputs.droppedSpans('invalid_trace_id')).toBe(1);
    expect(await metric(registry, SAMPLING_METRICS.invalidTraceIds)).toBe(1);
  });

  it('counts decisions by sampler, policy and decision; accounts bytes', async () => {
    const { tail, clock, outputs, registry } = setup([
      { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
      { name: 'big', type: 'span_count', minSpans: 3 },
    ]);
    tail.consume(
      batchOf(
        { svc: [...trace(1, [{ error: true }]), ...trace(3), ...trace(1)] },
        50,
      ),
    );
    expect(tail.held()).toEqual({ spans: 5, bytes: 250 });
    tail.tick(clock.advance(5000));
    expect(
      await metric(
        registry,
        SAMPLING_METRICS.decisions,
        'sampler="tail",policy="errors",decision="sampled"',
      ),
    ).toBe(1);
    expect(
      await metric(
        registry,
        SAMPLING_METRICS.decisions,
        'sampler="tail",policy="big",decision="sampled"',
      ),
    ).toBe(1);
    expect(
      await metric(
        registry,
        SAMPLING_METRICS.decisions,
        'sampler="tail",policy="errors",decision="not_sampled"',
      ),
    ).toBe(1);
    expect(outputs.forwarded[0].bytes).toBe(200);
    expect(outputs.dropped).toEqual([
      { spans: 1, bytes: 50, reason: 'sampling' },
    ]);
  });
});
