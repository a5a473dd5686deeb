import { Registry } from 'prom-client';
import {
  EffectivePolicy,
  SAMPLING_METRICS,
  SAMPLING_SPAN_ATTRIBUTES,
  SamplingPolicy,
} from '@internal/tracing-model';
import { validateTailPolicies } from './policies';
import { SPAN_KIND, Span } from '../otlp/model';
import { createSamplingStage } from './samplingStage';
import { parseOtTraceState, thresholdForRate } from './consistent';
import { annotateKeptSpan } from './whyKept';
import {
  ManualClock,
  RecordingOutputs,
  StaticPolicySource,
  batchOf,
  makeSpan,
  policy,
  randomBytes,
  seededRandom,
} from './testing';

const random = seededRandom(16);
/** A trace id whose randomness (low 56 bits) is all ones: kept at any rate above 0. */
const luckyId = () => {
  const id = randomBytes(random, 16);
  id.fill(0xff, 9);
  return id;
};
/** A trace id whose randomness is 0: kept only at rate 1 (or for another reason). */
const unluckyId = () => {
  const id = randomBytes(random, 16);
  id.fill(0, 9);
  return id;
};

function run(
  services: Record<string, SamplingPolicy | EffectivePolicy>,
  spans: Record<string, Span[]>,
  tailPolicies: unknown[] = [],
) {
  const parsed = validateTailPolicies(tailPolicies);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  const clock = new ManualClock();
  const outputs = new RecordingOutputs();
  const registry = new Registry();
  const stage = createSamplingStage({
    policySource: new StaticPolicySource(services as any),
    registry,
    clock: clock.now,
    tail: { decisionWaitMs: 5000, tickIntervalMs: 0, policies: parsed.value },
  })(outputs);
  stage.consume(batchOf(spans));
  stage.tick(clock.advance(6000));
  const forwarded = outputs.forwardedSpans();
  const annotated = forwarded.filter(s =>
    s.attributes?.some(a => a.key === SAMPLING_SPAN_ATTRIBUTES.rule),
  );
  const attr = (span: Span | undefined, key: string) =>
    span?.attributes?.find(a => a.key === key)?.value;
  return {
    forwarded,
    annotated,
    rule: attr(annotated[0], SAMPLING_SPAN_ATTRIBUTES.rule)?.stringValue,
    rate: attr(annotated[0], SAMPLING_SPAN_ATTRIBUTES.rate)?.doubleValue,
    registry,
  };
}

const rootOf = (
  traceId: Uint8Array,
  extra: Partial<Parameters<typeof makeSpan>[0]> = {},
) => makeSpan({ traceId, kind: SPAN_KIND.SERVER, name: 'GET /pay', ...extra });

describe('why a trace was kept', () => {
  it('names the probabilistic rate and writes the rate and the ot=th threshold', () => {
    const traceId = luckyId();
    const r = run(
      { shop: policy({ type: 'probabilistic', rate: 0.25 }) },
      { shop: [rootOf(traceId)] },
    );
    expect(r.rule).toBe('rate');
    expect(r.rate).toBe(0.25);
    expect(parseOtTraceState(r.annotated[0].traceState).threshold).toEqual(
      thresholdForRate(0.25),
    );
  });

  it('names the operation rule that matched, with the root span name', () => {
    const r = run(
      {
        shop: policy(
          { type: 'probabilistic', rate: 0 },
          {
            operations: [
              { match: { type: 'span-name', name: 'GET /pay' }, rate: 0.5 },
            ],
          },
        ),
      },
      { shop: [rootOf(luckyId())] },
    );
    expect(r.rule).toBe('operation:GET /pay');
    expect(r.rate).toBe(0.5);
  });

  it('names errors and slow traces (rate 1) when the rate alone would drop them', () => {
    const keep = { keepErrors: true, keepSlowerThanMs: 1000 };
    const p = policy(
      { type: 'probabilistic', rate: 0.01 },
      { alwaysKeep: keep },
    );
    const error = run(
      { shop: p },
      { shop: [rootOf(unluckyId(), { error: true })] },
    );
    expect([error.rule, error.rate]).toEqual(['error', 1]);
    const slow = run(
      { shop: p },
      { shop: [rootOf(unluckyId(), { durationMs: 2000 })] },
    );
    expect([slow.rule, slow.rate]).toEqual(['slow', 1]);
  });

  it.each(['override', 'maintenance', 'boost'] as const)(
    'names the %s layer when it set the rate',
    layer => {
      const p: EffectivePolicy = {
        ...policy({ type: 'probabilistic', rate: 1 }),
        origin: 'service',
        decidedBy: { strategy: layer, operations: layer },
      };
      const r = run({ shop: p }, { shop: [rootOf(unluckyId())] });
      expect(r.rule).toBe(layer);
      expect(r.rate).toBe(1);
    },
  );

  it('names an override that capped an operation rule', () => {
    const p: EffectivePolicy = {
      ...policy(
        { type: 'probabilistic', rate: 0 },
        {
          operations: [
            { match: { type: 'span-name', name: 'GET /pay' }, rate: 0.5 },
          ],
        },
      ),
      origin: 'service',
      decidedBy: { operations: 'override' },
    };
    expect(run({ shop: p }, { shop: [rootOf(luckyId())] }).rule).toBe(
      'override',
    );
  });

  it('names rate limits without a rate, and sdk sampling without touching th', () => {
    const limited = run(
      { shop: policy({ type: 'rate-limiting', tracesPerSecond: 10 }) },
      { shop: [rootOf(unluckyId())] },
    );
    expect([limited.rule, limited.rate]).toEqual(['rate-limit', undefined]);
    const sdk = run(
      {
        shop: policy(
          { type: 'probabilistic', rate: 0.1 },
          { samplingLocation: 'sdk' },
        ),
      },
      { shop: [rootOf(unluckyId(), { traceState: 'ot=th:8' })] },
    );
    expect([sdk.rule, sdk.rate]).toEqual(['sdk', undefined]);
    expect(sdk.annotated[0].traceState).toBe('ot=th:8');
  });

  it('names the extra tail policy that kept the trace', () => {
    const r = run(
      { shop: policy({ type: 'probabilistic', rate: 0 }) },
      { shop: [rootOf(unluckyId(), { attributes: { vip: 'yes' } })] },
      [
        {
          name: 'vips',
          type: 'string_attribute',
          key: 'vip',
          values: ['yes'],
        },
      ],
    );
    expect(r.rule).toBe('policy:vips');
    expect(r.rate).toBe(1);
  });

  it('annotates only the root span, or the first span forwarded when the root is absent', () => {
    const traceId = luckyId();
    const root = rootOf(traceId);
    const child = makeSpan({ traceId, parentSpanId: root.spanId!, name: 'db' });
    const p = policy({ type: 'probabilistic', rate: 1 });
    const whole = run({ shop: p, db: p }, { db: [child], shop: [root] });
    expect(whole.forwarded.length).toBe(2);
    expect(whole.annotated.map(s => s.name)).toEqual(['GET /pay']);
    const orphan = run({ db: p }, { db: [child] });
    expect(orphan.annotated.length).toBe(1);
    expect(orphan.annotated[0].name).toBe('db');
  });

  it('replaces rule attributes a sender set itself', () => {
    const span = rootOf(luckyId(), {
      attributes: { [SAMPLING_SPAN_ATTRIBUTES.rule]: 'error', keep: 'me' },
    });
    annotateKeptSpan(span, 'rate', 0.1);
    expect(
      span
        .attributes!.filter(a => a.key === SAMPLING_SPAN_ATTRIBUTES.rule)
        .map(a => a.value?.stringValue),
    ).toEqual(['rate']);
    expect(span.attributes!.some(a => a.key === 'keep')).toBe(true);
  });

  it('counts kept traces per service and rule kind', async () => {
    const p = policy(
      { type: 'probabilistic', rate: 0.01 },
      { alwaysKeep: { keepErrors: true } },
    );
    const r = run(
      { shop: p },
      {
        shop: [
          rootOf(unluckyId(), { error: true }),
          rootOf(unluckyId(), { error: true }),
          rootOf(luckyId()),
          rootOf(unluckyId()),
        ],
      },
    );
    const metric = await r.registry
      .getSingleMetric(SAMPLING_METRICS.keptTraces)!
      .get();
    const byRule = Object.fromEntries(
      metric.values.map(v => [`${v.labels.service}/${v.labels.rule}`, v.value]),
    );
    expect(byRule).toEqual({ 'shop/error': 2, 'shop/rate': 1 });
  });
});
