import {
  SamplingPolicy,
  validateSamplingPolicy,
} from '@internal/plugin-tracing-health-common';
import { toJaegerStrategy } from './toJaegerStrategy';

function policy(input: unknown): SamplingPolicy {
  const result = validateSamplingPolicy(input);
  if (!result.success) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('toJaegerStrategy', () => {
  it('tells SDKs to send everything when the pipeline samples', () => {
    expect(
      toJaegerStrategy(
        policy({
          strategy: { type: 'probabilistic', rate: 0.01 },
          operations: [{ match: { type: 'span-name', name: 'a' }, rate: 0.5 }],
        }),
      ),
    ).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1 },
    });
  });

  it('serves 0 when the policy keeps nothing (disabled), wherever it samples', () => {
    const disabled = {
      strategy: { type: 'probabilistic', rate: 0 },
      alwaysKeep: { keepErrors: false },
    };
    for (const samplingLocation of ['pipeline', 'sdk']) {
      expect(
        toJaegerStrategy(policy({ ...disabled, samplingLocation })),
      ).toEqual({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0 },
      });
    }
  });

  it('keeps sending everything at rate 0 when errors are still kept in the pipeline', () => {
    expect(
      toJaegerStrategy(policy({ strategy: { type: 'probabilistic', rate: 0 } }))
        .probabilisticSampling.samplingRate,
    ).toBe(1);
  });

  it('serves an SDK-sampled probabilistic policy with its span-name rules', () => {
    const result = toJaegerStrategy(
      policy({
        strategy: { type: 'probabilistic', rate: 0.25 },
        samplingLocation: 'sdk',
        operations: [
          {
            match: { type: 'span-name-regex', pattern: '^GET /health' },
            rate: 0,
          },
          { match: { type: 'span-name', name: 'GET /health/live' }, rate: 1 },
          {
            match: { type: 'attribute', key: 'tenant', equals: 'acme' },
            rate: 1,
          },
          { match: { type: 'span-name', name: 'POST /orders' }, rate: 0.75 },
          { match: { type: 'span-name', name: 'POST /orders' }, rate: 0.1 },
        ],
      }),
    );
    expect(result).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.25 },
      operationSampling: {
        defaultSamplingProbability: 0.25,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [
          // shadowed by the earlier regex rule, as in the pipeline
          {
            operation: 'GET /health/live',
            probabilisticSampling: { samplingRate: 0 },
          },
          {
            operation: 'POST /orders',
            probabilisticSampling: { samplingRate: 0.75 },
          },
        ],
      },
    });
  });

  it('matches regex rules against operation names on a linear-time engine', () => {
    // ((.)+)+X takes exponential time in JavaScript's RegExp: this test would hang.
    const long = 'a'.repeat(1_000);
    const result = toJaegerStrategy(
      policy({
        strategy: { type: 'probabilistic', rate: 0.25 },
        samplingLocation: 'sdk',
        operations: [
          { match: { type: 'span-name-regex', pattern: '((.)+)+X' }, rate: 0 },
          { match: { type: 'span-name', name: long }, rate: 1 },
          { match: { type: 'span-name', name: 'aaaX' }, rate: 1 },
        ],
      }),
    );
    expect(result.operationSampling!.perOperationStrategies).toEqual([
      { operation: long, probabilisticSampling: { samplingRate: 1 } },
      { operation: 'aaaX', probabilisticSampling: { samplingRate: 0 } },
    ]);
  });

  it('serves an SDK-sampled adaptive policy at its computed rate, clamped, or minRate', () => {
    const adaptive = policy({
      strategy: {
        type: 'adaptive',
        targetTracesPerSecond: 5,
        minRate: 0.01,
        maxRate: 0.5,
      },
      samplingLocation: 'sdk',
    });
    const rate = (r?: number) =>
      toJaegerStrategy(adaptive, r).probabilisticSampling.samplingRate;
    expect(rate(0.2)).toBe(0.2);
    expect(rate(0.9)).toBe(0.5);
    expect(rate(0.001)).toBe(0.01);
    expect(rate(undefined)).toBe(0.01);
  });

  it('serves an SDK-sampled rate limit as RATE_LIMITING', () => {
    expect(
      toJaegerStrategy(
        policy({
          strategy: { type: 'rate-limiting', tracesPerSecond: 3 },
          samplingLocation: 'sdk',
          operations: [{ match: { type: 'span-name', name: 'a' }, rate: 1 }],
        }),
      ),
    ).toEqual({
      strategyType: 'RATE_LIMITING',
      probabilisticSampling: { samplingRate: 0 },
      rateLimitingSampling: { maxTracesPerSecond: 3 },
    });
  });
});
