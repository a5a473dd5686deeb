import { Registry } from 'prom-client';
import { Span } from '../../otlp/model';
import {
  ManualClock,
  RecordingOutputs,
  SpanSpec,
  batchOf,
  makeSpan,
  randomBytes,
  seededRandom,
} from '../testing';
import { TailSampler } from '../tailSampler';
import {
  SamplingConfigError,
  parseSamplingConfig,
} from '../configPolicySource';
import {
  TAIL_POLICY_TYPES,
  renderTailPolicyConfigDocs,
  tailPolicyToCollector,
  validateTailPolicies,
} from '.';

// boolean_attribute is the kind added as one file (boolean_attribute.ts) plus one line in
// leaves.ts: these tests follow it through validation, the tail sampler, the collector rendering
// and the config docs.

const random = seededRandom(7);

function trace(overrides: Array<Partial<SpanSpec>>): Span[] {
  const traceId = randomBytes(random, 16);
  const spans: Span[] = [];
  overrides.forEach((o, i) =>
    spans.push(
      makeSpan({
        traceId,
        parentSpanId: i === 0 ? undefined : spans[0].spanId!,
        ...o,
      }),
    ),
  );
  return spans;
}

function keeps(policy: object, spans: Span[]): boolean {
  const parsed = validateTailPolicies([{ name: 'b', ...policy }]);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  const clock = new ManualClock();
  const outputs = new RecordingOutputs();
  const tail = new TailSampler(outputs, {
    decisionWaitMs: 5000,
    tickIntervalMs: 0,
    clock: clock.now,
    registry: new Registry(),
    policies: parsed.value,
  });
  tail.consume(batchOf({ svc: spans }));
  tail.tick(clock.advance(5000));
  return outputs.forwardedSpans().length === spans.length;
}

describe('boolean_attribute tail policy', () => {
  const policy = { type: 'boolean_attribute', key: 'debug', value: true };

  it.each([
    ['a span has the value', [{}, { attributes: { debug: true } }], true],
    ['a span has the other value', [{ attributes: { debug: false } }], false],
    ['no span has the attribute', [{}, {}], false],
    [
      'the attribute is a string, not a boolean',
      [{ attributes: { debug: 'true' } }],
      false,
    ],
  ])('keeps the trace when %s: %s', (_, overrides, kept) => {
    expect(keeps(policy, trace(overrides))).toBe(kept);
  });

  it('inverts the match', () => {
    expect(
      keeps(
        { ...policy, invertMatch: true },
        trace([{ attributes: { debug: true } }]),
      ),
    ).toBe(false);
    expect(keeps({ ...policy, invertMatch: true }, trace([{}]))).toBe(true);
  });

  it('works inside and and composite', () => {
    const and = {
      type: 'and',
      policies: [
        { name: 'dbg', ...policy },
        { name: 'err', type: 'status_code', statusCodes: ['ERROR'] },
      ],
    };
    expect(
      keeps(and, trace([{ error: true, attributes: { debug: true } }])),
    ).toBe(true);
    expect(keeps(and, trace([{ attributes: { debug: true } }]))).toBe(false);
    const composite = {
      type: 'composite',
      maxTotalSpansPerSecond: 100,
      policies: [{ name: 'dbg', ...policy }],
    };
    expect(keeps(composite, trace([{ attributes: { debug: true } }]))).toBe(
      true,
    );
  });

  it('validates its fields', () => {
    expect(TAIL_POLICY_TYPES).toContain('boolean_attribute');
    expect(
      validateTailPolicies([
        { name: 'b', type: 'boolean_attribute', key: 'debug' },
      ]).errors,
    ).toEqual([{ path: '[0].value', message: 'is required' }]);
    expect(
      validateTailPolicies([
        { name: 'b', type: 'boolean_attribute', key: '', value: 'yes' },
      ]).errors,
    ).toEqual([
      { path: '[0].key', message: 'must not be empty' },
      { path: '[0].value', message: 'must be true or false' },
    ]);
    expect(
      validateTailPolicies([{ name: 'b', ...policy, invert_match: true }])
        .errors,
    ).toEqual([{ path: '[0].invert_match', message: 'is not a known field' }]);
  });

  it('is accepted in tracingHealth.sampling.tail.policies, and refused with the key path', () => {
    const tail = { name: 'dbg', ...policy };
    expect(
      parseSamplingConfig({ tail: { policies: [tail] } }).tail.policies,
    ).toEqual([tail]);
    let error: SamplingConfigError | undefined;
    try {
      parseSamplingConfig({ tail: { policies: [{ ...tail, value: 1 }] } });
    } catch (e) {
      error = e as SamplingConfigError;
    }
    expect(error?.errors).toEqual([
      {
        path: 'tracingHealth.sampling.tail.policies[0].value',
        message: 'must be true or false',
      },
    ]);
  });

  it("renders as the collector's boolean_attribute policy", () => {
    const parsed = validateTailPolicies([
      { name: 'b', ...policy, invertMatch: true },
    ]);
    expect(tailPolicyToCollector(parsed.value![0])).toEqual({
      name: 'b',
      type: 'boolean_attribute',
      boolean_attribute: { key: 'debug', value: true, invert_match: true },
    });
  });

  it('is documented for config.d.ts', () => {
    const docs = renderTailPolicyConfigDocs();
    expect(docs).toContain("type: 'boolean_attribute';");
    expect(docs).toMatch(/\| TailBooleanAttributePolicyConfig/);
  });
});
