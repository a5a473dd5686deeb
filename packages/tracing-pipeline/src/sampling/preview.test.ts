import { EffectivePolicy } from '@internal/tracing-model';
import { Registry } from 'prom-client';
import { SPAN_KIND } from '../otlp/model';
import { createSamplingStage } from './samplingStage';
import { previewPolicy } from './preview';
import { TraceDigestBuffer, TraceDigests } from './traceDigests';
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

const random = seededRandom(7);

/** Sends `n` traces rooted at shop (GET /a or, one in four, GET /b; one in ten an error). */
function traffic(n: number, clock: ManualClock, spanRate = 0.5) {
  const outputs = new RecordingOutputs();
  const digests = new TraceDigests(
    { minDigestIntervalMs: 0, digestsPerService: 10_000 },
    clock.now,
  );
  const source = new StaticPolicySource({
    shop: policy(
      { type: 'probabilistic', rate: spanRate },
      { alwaysKeep: { keepErrors: true } },
    ),
    pay: policy({ type: 'probabilistic', rate: 1 }),
  });
  const stage = createSamplingStage({
    policySource: source,
    registry: new Registry(),
    clock: clock.now,
    tail: { decisionWaitMs: 1000, tickIntervalMs: 0 },
    onDecided: digests.recorder(),
  })(outputs);
  for (let i = 0; i < n; i++) {
    const traceId = randomBytes(random, 16);
    const root = makeSpan({
      traceId,
      kind: SPAN_KIND.SERVER,
      name: i % 4 === 0 ? 'GET /b' : 'GET /a',
      error: i % 10 === 0,
    });
    const child = makeSpan({
      traceId,
      parentSpanId: root.spanId!,
      kind: SPAN_KIND.SERVER,
    });
    stage.consume(
      batchOf({
        shop: [root],
        pay: [child, makeSpan({ traceId, parentSpanId: child.spanId! })],
      }),
    );
  }
  stage.tick(clock.advance(2000));
  return { digests, outputs, source };
}

const eff = (p: ReturnType<typeof policy>): EffectivePolicy => ({
  ...p,
  origin: 'service',
});

describe('previewPolicy', () => {
  it('predicts what a rate keeps, errors always, within sampling noise of what the sampler then keeps', () => {
    const clock = new ManualClock();
    const { digests } = traffic(2000, clock);
    const candidate = eff(
      policy(
        { type: 'probabilistic', rate: 0.2 },
        {
          alwaysKeep: { keepErrors: true },
          operations: [
            { match: { type: 'span-name', name: 'GET /b' }, rate: 1 },
          ],
        },
      ),
    );
    const preview = previewPolicy({
      digests: digests.digests('shop'),
      window: digests.window('shop'),
      candidate,
      current: eff(
        policy(
          { type: 'probabilistic', rate: 0.5 },
          { alwaysKeep: { keepErrors: true } },
        ),
      ),
      policyOf: () => eff(policy({ type: 'probabilistic', rate: 1 })),
    });
    expect(preview.traces).toBe(2000);
    expect(preview.sampled).toBe(2000);
    // 200 errors kept; 400 GET /b without error at 100%; the other 1400 (GET /a) at 20%.
    const expected = (200 + 400 + 1400 * 0.2) / 2000;
    expect(preview.candidate.keptFraction).toBeCloseTo(expected, 6);
    expect(preview.candidate.errorShareKept).toBe(1);
    expect(preview.candidate.spansPerSecond).toBeCloseTo(
      3 * preview.candidate.tracesPerSecond,
      6,
    );
    expect(preview.current.keptFraction).toBeCloseTo(
      (200 + 1800 * 0.5) / 2000,
      6,
    );
    // The policy in force was applied by the sampler itself: measured ≈ current preview.
    const measured = preview.measured.tracesPerSecond / preview.tracesPerSecond;
    const sigma = preview.current.perTraceSigma / Math.sqrt(2000);
    expect(Math.abs(measured - preview.current.keptFraction)).toBeLessThan(
      5 * sigma,
    );
  });

  it('counts spans a root causes downstream, by service, kept and not', () => {
    const clock = new ManualClock();
    const { digests } = traffic(100, clock, 1);
    const w = digests.window('shop').counts;
    expect(w.spansByService).toEqual({ shop: 100, pay: 200 });
    expect(w.keptSpansByService).toEqual({ shop: 100, pay: 200 });
    // At 100% the rate decides first, errors included.
    expect(w.keptByRule).toEqual({ rate: 100 });
    expect(digests.services()).toEqual(['shop']);
  });

  it('workers hand their deltas to the main thread store', () => {
    const clock = new ManualClock();
    const buffer = new TraceDigestBuffer({ minDigestIntervalMs: 0 }, clock.now);
    const main = new TraceDigests({}, clock.now);
    const outputs = new RecordingOutputs();
    const stage = createSamplingStage({
      policySource: new StaticPolicySource({}),
      registry: new Registry(),
      clock: clock.now,
      tail: { decisionWaitMs: 0, tickIntervalMs: 0 },
      onDecided: buffer.recorder(),
    })(outputs);
    for (let i = 0; i < 5; i++)
      stage.consume(
        batchOf({ shop: [makeSpan({ traceId: randomBytes(random, 16) })] }),
      );
    main.ingest(buffer.drain());
    expect(main.window('shop').counts.traces).toBe(5);
    expect(main.digests('shop')).toHaveLength(5);
    expect(buffer.drain()).toEqual({ minutes: [], digests: [] });
  });

  it('keeps at most the configured digests per service', () => {
    const clock = new ManualClock();
    const store = new TraceDigests(
      { digestsPerService: 3, minDigestIntervalMs: 0 },
      clock.now,
    );
    const base = {
      atMs: clock.now(),
      rootService: 's',
      rootName: 'x',
      attributes: {},
      resourceAttributes: {},
      spans: 1,
      bytes: 1,
      services: [],
      kept: true,
    };
    for (let i = 0; i < 10; i++)
      store.addDigest({ ...base, rootName: `x${i}` });
    expect(store.digests('s').map(d => d.rootName)).toEqual(['x7', 'x8', 'x9']);
  });
});
