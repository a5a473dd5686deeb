import { Registry } from 'prom-client';
import { SAMPLING_METRICS, SamplingPolicy } from '@internal/tracing-model';
import { HeadSampler } from './headSampler';
import {
  isSampled,
  parseThreshold,
  thresholdForRate,
  traceIdRandomness,
} from './consistent';
import { TraceView, traceDataOf } from './traceData';
import { SPAN_KIND } from '../otlp/model';
import {
  ManualClock,
  StaticPolicySource,
  attrs,
  makeSpan,
  policy,
  randomBytes,
  seededRandom,
} from './testing';

const resource = (service: string) => ({
  attributes: attrs({ 'service.name': service }),
});

function rootTrace(
  traceId: Uint8Array,
  service: string,
  spec: Partial<Parameters<typeof makeSpan>[0]> = {},
) {
  return new TraceView(
    traceDataOf(traceId, [
      { resource: resource(service), spans: [makeSpan({ traceId, ...spec })] },
    ]),
  );
}

function sampler(
  policies: Record<string, SamplingPolicy>,
  fallback?: SamplingPolicy,
  clock = new ManualClock(),
) {
  return new HeadSampler({
    policySource: new StaticPolicySource(policies, fallback),
    clock: clock.now,
  });
}

describe('HeadSampler', () => {
  const random = seededRandom(1);
  const ids = Array.from({ length: 20_000 }, () => randomBytes(random, 16));

  it('keeps exactly the traces whose randomness passes the service threshold', () => {
    const head = sampler({
      checkout: policy({ type: 'probabilistic', rate: 0.2 }),
    });
    const t = thresholdForRate(0.2);
    let mismatches = 0;
    for (const id of ids) {
      const d = head.decide(rootTrace(id, 'checkout'));
      if (d.sampled !== isSampled(traceIdRandomness(id), t)) mismatches++;
      expect(d.policy).toBe('probabilistic');
    }
    expect(mismatches).toBe(0);
  });

  it('two instances agree on every trace', () => {
    const p = { svc: policy({ type: 'probabilistic', rate: 0.37 }) };
    const a = sampler(p);
    const b = sampler(p);
    const disagreements = ids.filter(
      id =>
        a.decide(rootTrace(id, 'svc')).sampled !==
        b.decide(rootTrace(id, 'svc')).sampled,
    );
    expect(disagreements).toHaveLength(0);
  });

  it('uses the default policy for services without one', () => {
    const head = sampler({}, policy({ type: 'probabilistic', rate: 1 }));
    const d = head.decide(rootTrace(ids[0], 'unknown'));
    expect(d).toMatchObject({
      sampled: true,
      policy: 'probabilistic',
      service: 'unknown',
      rate: 1,
    });
    expect(d.threshold?.th).toBe('0');
  });

  it.each([
    [
      'exact span name',
      { type: 'span-name', name: 'GET /health' },
      { name: 'GET /health' },
      0,
    ],
    [
      'span name regex',
      { type: 'span-name-regex', pattern: '^POST /orders' },
      { name: 'POST /orders/42' },
      1,
    ],
    [
      'span attribute',
      { type: 'attribute', key: 'tenant', equals: 'acme' },
      { attributes: { tenant: 'acme' } },
      1,
    ],
    [
      'numeric attribute',
      { type: 'attribute', key: 'http.status_code', equals: 503 },
      { attributes: { 'http.status_code': 503 } },
      1,
    ],
    [
      'boolean attribute',
      { type: 'attribute', key: 'synthetic', equals: true },
      { attributes: { synthetic: true } },
      0,
    ],
  ] as const)(
    'applies a per-operation rule on %s',
    (_, match, span, expectedRate) => {
      const head = sampler({
        svc: policy(
          { type: 'probabilistic', rate: 0.5 },
          { operations: [{ match, rate: expectedRate }] },
        ),
      });
      const matched = head.decide(rootTrace(ids[1], 'svc', span));
      expect(matched).toMatchObject({
        policy: 'operation',
        rate: expectedRate,
        sampled: expectedRate === 1,
      });
      const other = head.decide(rootTrace(ids[1], 'svc', { name: 'other' }));
      expect(other).toMatchObject({ policy: 'probabilistic', rate: 0.5 });
    },
  );

  it('runs span-name-regex rules on a linear-time engine: ((.)+)+X on a 10,000-character name', () => {
    // JavaScript's RegExp takes time doubling with each character here (24 characters: 3.3 s),
    // so this test would hang and fail by jest's timeout.
    const head = sampler({
      svc: policy(
        { type: 'probabilistic', rate: 0.5 },
        {
          operations: [
            {
              match: { type: 'span-name-regex', pattern: '((.)+)+X' },
              rate: 1,
            },
            { match: { type: 'span-name-regex', pattern: '(a|a)*$' }, rate: 0 },
          ],
        },
      ),
    });
    const long = 'a'.repeat(10_000);
    expect(
      head.decide(rootTrace(ids[4], 'svc', { name: `${long}!` })),
    ).toMatchObject({ policy: 'operation', rate: 0 });
    expect(
      head.decide(rootTrace(ids[4], 'svc', { name: `${long.slice(9_000)}X` })),
    ).toMatchObject({ policy: 'operation', rate: 1 });
    expect(head.decide(rootTrace(ids[4], 'svc', { name: '!' }))).toMatchObject({
      policy: 'operation',
      rate: 0,
    });
  });

  it('lets a stored pattern RE2 cannot run match nothing instead of failing', () => {
    const head = sampler({
      svc: policy(
        { type: 'probabilistic', rate: 0.5 },
        {
          operations: [
            {
              match: { type: 'span-name-regex', pattern: '(?<=GET )/a' },
              rate: 1,
            },
            { match: { type: 'span-name', name: 'GET /a' }, rate: 0 },
          ],
        },
      ),
    });
    expect(
      head.decide(rootTrace(ids[5], 'svc', { name: 'GET /a' })),
    ).toMatchObject({ policy: 'operation', rate: 0 });
  });

  it('takes the first matching rule', () => {
    const head = sampler({
      svc: policy(
        { type: 'probabilistic', rate: 0.5 },
        {
          operations: [
            { match: { type: 'span-name-regex', pattern: '^GET' }, rate: 0.25 },
            { match: { type: 'span-name', name: 'GET /a' }, rate: 1 },
          ],
        },
      ),
    });
    expect(head.decide(rootTrace(ids[2], 'svc', { name: 'GET /a' })).rate).toBe(
      0.25,
    );
  });

  it("decides by the root span's service when the root is present", () => {
    const head = sampler({
      front: policy({ type: 'probabilistic', rate: 0.01 }),
      back: policy({ type: 'probabilistic', rate: 1 }),
    });
    const traceId = ids[3];
    const root = makeSpan({ traceId, kind: SPAN_KIND.SERVER });
    const child = makeSpan({
      traceId,
      parentSpanId: root.spanId!,
      kind: SPAN_KIND.SERVER,
    });
    const view = new TraceView(
      traceDataOf(traceId, [
        { resource: resource('back'), spans: [child] },
        { resource: resource('front'), spans: [root] },
      ]),
    );
    expect(head.decide(view)).toMatchObject({ service: 'front', rate: 0.01 });
  });

  it('without the root, takes the highest rate among entry spans', () => {
    const head = sampler({
      a: policy({ type: 'probabilistic', rate: 0.1 }),
      b: policy({ type: 'probabilistic', rate: 0.6 }),
      c: policy({ type: 'probabilistic', rate: 1 }),
    });
    const traceId = ids[4];
    const parent = new Uint8Array(8).fill(9);
    const view = new TraceView(
      traceDataOf(traceId, [
        {
          resource: resource('a'),
          spans: [
            makeSpan({ traceId, parentSpanId: parent, kind: SPAN_KIND.SERVER }),
          ],
        },
        {
          resource: resource('b'),
          spans: [
            makeSpan({
              traceId,
              parentSpanId: parent,
              kind: SPAN_KIND.CONSUMER,
            }),
          ],
        },
        // an internal span of c is not an entry span
        {
          resource: resource('c'),
          spans: [
            makeSpan({
              traceId,
              parentSpanId: parent,
              kind: SPAN_KIND.INTERNAL,
            }),
          ],
        },
      ]),
    );
    expect(head.decide(view)).toMatchObject({ service: 'b', rate: 0.6 });
  });

  it('treats a span with a remote parent (OTLP flags) as an entry span', () => {
    const head = sampler({
      a: policy({ type: 'probabilistic', rate: 0.1 }),
      b: policy({ type: 'probabilistic', rate: 0.9 }),
    });
    const traceId = ids[5];
    const parent = new Uint8Array(8).fill(7);
    const view = new TraceView(
      traceDataOf(traceId, [
        {
          resource: resource('a'),
          spans: [
            makeSpan({
              traceId,
              parentSpanId: parent,
              kind: SPAN_KIND.INTERNAL,
            }),
          ],
        },
        {
          resource: resource('b'),
          spans: [
            makeSpan({
              traceId,
              parentSpanId: parent,
              kind: SPAN_KIND.INTERNAL,
              flags: 0x301,
            }),
          ],
        },
      ]),
    );
    expect(head.decide(view)).toMatchObject({ service: 'b', rate: 0.9 });
  });

  describe('incoming ot=th', () => {
    // R of this id is 0xc0000000000000 (th:c passes, th:e does not).
    const traceId = Uint8Array.from([
      ...new Array(9).fill(1),
      0xc0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);

    it.each([
      ['none, ours 50%', undefined, 0.5, true, '8'],
      ['looser than ours: tightened to ours', 'ot=th:4', 0.5, true, '8'],
      ['stricter than ours: honoured', 'ot=th:c', 0.5, true, 'c'],
      [
        'stricter than ours and R fails ours',
        'ot=th:c',
        0.1,
        false,
        'e6666666666666',
      ],
      ['inconsistent (R fails it): ignored', 'ot=th:e', 0.5, true, '8'],
    ])('%s', (_, traceState, rate, sampled, th) => {
      const head = sampler({ svc: policy({ type: 'probabilistic', rate }) });
      const d = head.decide(rootTrace(traceId, 'svc', { traceState }));
      expect(d.sampled).toBe(sampled);
      expect(d.threshold?.th).toBe(th);
    });

    it('uses rv from tracestate instead of the trace id', () => {
      const head = sampler({
        svc: policy({ type: 'probabilistic', rate: 0.5 }),
      });
      expect(
        head.decide(
          rootTrace(traceId, 'svc', { traceState: 'ot=rv:10000000000000' }),
        ).sampled,
      ).toBe(false);
      expect(
        head.decide(
          rootTrace(traceId, 'svc', { traceState: 'ot=rv:90000000000000' }),
        ).sampled,
      ).toBe(true);
    });

    it('counts inconsistent thresholds', () => {
      let count = 0;
      const view = new TraceView(
        traceDataOf(traceId, [
          {
            resource: resource('svc'),
            spans: [makeSpan({ traceId, traceState: 'ot=th:f' })],
          },
        ]),
        () => count++,
      );
      expect(view.incomingThreshold).toBeUndefined();
      expect(count).toBe(1);
      expect(parseThreshold('f')).not.toBeNull();
    });
  });

  it('rate-limiting keeps at most tracesPerSecond per service and erases th', () => {
    const clock = new ManualClock();
    const head = sampler(
      { svc: policy({ type: 'rate-limiting', tracesPerSecond: 5 }) },
      undefined,
      clock,
    );
    const kept = () =>
      ids
        .slice(0, 100)
        .filter(id => head.decide(rootTrace(id, 'svc'), clock.nowMs).sampled)
        .length;
    expect(kept()).toBe(5);
    clock.advance(1000);
    expect(kept()).toBe(5);
    clock.advance(200);
    expect(kept()).toBe(1);
    const d = head.decide(rootTrace(ids[0], 'svc'), clock.advance(10_000));
    expect(d).toMatchObject({
      sampled: true,
      policy: 'rate-limiting',
      threshold: null,
    });
  });

  it("samplingLocation 'sdk' keeps what arrives and leaves tracestate alone", () => {
    const head = sampler({
      svc: policy(
        { type: 'probabilistic', rate: 0.01 },
        { samplingLocation: 'sdk' },
      ),
    });
    const d = head.decide(rootTrace(ids[6], 'svc'));
    expect(d).toMatchObject({
      sampled: true,
      policy: 'sdk',
      threshold: undefined,
    });
  });

  it('adaptive services use the computed rate', () => {
    const clock = new ManualClock();
    const head = sampler(
      {
        svc: policy({
          type: 'adaptive',
          targetTracesPerSecond: 10,
          minRate: 0.001,
          maxRate: 1,
        }),
      },
      undefined,
      clock,
    );
    expect(head.decide(rootTrace(ids[7], 'svc'))).toMatchObject({
      policy: 'adaptive',
      rate: 0.001,
    });
    // 1000 traces in the warm-up second: 1000/s seen, target 10/s → 1%.
    for (let i = 0; i < 999; i++) head.decide(rootTrace(ids[i], 'svc'));
    clock.advance(1000);
    expect(head.decide(rootTrace(ids[8], 'svc'))).toMatchObject({
      policy: 'adaptive',
      rate: 0.01,
    });
    expect(head.currentRates()).toEqual({ svc: 0.01 });
  });

  it('a fleet of owners, each with its share, keeps the rate limit and adaptive target fleet-wide', () => {
    const clock = new ManualClock();
    const owners = 4;
    const fleet = (svc: SamplingPolicy) =>
      Array.from(
        { length: owners },
        () =>
          new HeadSampler({
            policySource: new StaticPolicySource({ svc }),
            clock: clock.now,
            share: () => 1 / owners,
          }),
      );
    const limited = fleet(
      policy({ type: 'rate-limiting', tracesPerSecond: 20 }),
    );
    // 400 traces in one second, each decided by its owner (by trace id): 20 kept, not 4 × 20.
    const keptLimited = ids
      .slice(0, 400)
      .filter(
        (id, i) => limited[i % owners].decide(rootTrace(id, 'svc')).sampled,
      ).length;
    expect(keptLimited).toBe(20);

    const adaptive = fleet(
      policy({
        type: 'adaptive',
        targetTracesPerSecond: 40,
        minRate: 0.001,
        maxRate: 1,
      }),
    );
    // 2000 traces/s over the fleet; after the warm-up second the fleet keeps ~40/s (not 160/s).
    let kept = 0;
    for (let second = 0; second < 5; second++) {
      const start = second * 2000;
      for (let i = start; i < start + 2000; i++) {
        const d = adaptive[i % owners].decide(rootTrace(ids[i], 'svc'));
        if (second > 0 && d.sampled) kept++;
      }
      clock.advance(1000);
    }
    expect(adaptive[0].currentRates().svc).toBeCloseTo(40 / 2000, 6);
    // 4 s at 2% of 2000/s: 160 expected, binomial sigma ~12.5.
    expect(kept).toBeGreaterThan(160 - 5 * 12.5);
    expect(kept).toBeLessThan(160 + 5 * 12.5);
  });

  describe('always-keep', () => {
    const keepBoth = {
      alwaysKeep: { keepErrors: true, keepSlowerThanMs: 1000 },
    };
    it.each([
      ['an error span', { error: true }, keepBoth, 'keep-errors'],
      ['a slow span', { durationMs: 1500 }, keepBoth, 'keep-slow'],
      [
        'a span exactly at the threshold',
        { durationMs: 1000 },
        keepBoth,
        undefined,
      ],
      ['a fast OK span', {}, keepBoth, undefined],
      [
        'an error when errors are not kept',
        { error: true },
        { alwaysKeep: { keepErrors: false } },
        undefined,
      ],
    ] as const)('%s', (_, span, extra, reason) => {
      const head = sampler({
        svc: policy({ type: 'probabilistic', rate: 0 }, extra),
      });
      expect(head.alwaysKeep(rootTrace(ids[9], 'svc', span))).toBe(reason);
    });

    it("applies each span's own service rules", () => {
      const head = sampler({
        strict: policy(
          { type: 'probabilistic', rate: 0 },
          { alwaysKeep: { keepErrors: false } },
        ),
        careful: policy(
          { type: 'probabilistic', rate: 0 },
          { alwaysKeep: { keepErrors: true } },
        ),
      });
      const traceId = ids[10];
      const mk = (service: string) =>
        new TraceView(
          traceDataOf(traceId, [
            {
              resource: resource(service),
              spans: [makeSpan({ traceId, error: true })],
            },
          ]),
        );
      expect(head.alwaysKeep(mk('strict'))).toBeUndefined();
      expect(head.alwaysKeep(mk('careful'))).toBe('keep-errors');
    });
  });

  it('picks up policy changes when the source version changes', () => {
    const source = new StaticPolicySource({
      svc: policy({ type: 'probabilistic', rate: 0 }),
    });
    const head = new HeadSampler({ policySource: source });
    expect(head.decide(rootTrace(ids[11], 'svc')).sampled).toBe(false);
    source.set('svc', policy({ type: 'probabilistic', rate: 1 }));
    expect(head.decide(rootTrace(ids[11], 'svc')).sampled).toBe(true);
  });

  it('publishes the rate per service on the given registry', async () => {
    const registry = new Registry();
    const head = new HeadSampler({
      policySource: new StaticPolicySource({
        svc: policy({ type: 'probabilistic', rate: 0.25 }),
      }),
      registry,
    });
    head.decide(rootTrace(ids[12], 'svc'));
    const text = await registry.metrics();
    expect(text).toContain(`${SAMPLING_METRICS.rate}{service="svc"} 0.25`);
  });
});
