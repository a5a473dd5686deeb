import {
  EffectivePolicy,
  SamplingStrategy,
  tierDefaultPolicy,
} from '@internal/plugin-tracing-health-common';
import { strategyRateOf } from '@internal/tracing-pipeline';
import { PolicyEffectiveRates } from '../pipeline/PolicyEffectiveRates';
import { toTailPolicies } from './collector/toTailPolicies';
import { toJaegerStrategy } from './jaeger/toJaegerStrategy';

// "What rate does service X get" has one answer (strategyRateOf): the Jaeger endpoint, the
// collector config and the pages (coverage's effective rate) must all give it.

const sdkPolicy = (strategy: SamplingStrategy): EffectivePolicy => ({
  ...tierDefaultPolicy('standard'),
  strategy,
  samplingLocation: 'sdk',
  origin: 'service',
});

const adaptive: SamplingStrategy = {
  type: 'adaptive',
  targetTracesPerSecond: 10,
  minRate: 0.02,
  maxRate: 0.6,
};

function ratesFor(policy: EffectivePolicy, adaptiveRate: number | undefined) {
  const jaeger = toJaegerStrategy(policy, adaptiveRate);
  const pages = new PolicyEffectiveRates(
    {
      getPolicy: () => policy,
      getDefaultPolicy: () => policy,
      version: () => 1,
    },
    (): Record<string, number> =>
      adaptiveRate === undefined ? {} : { checkout: adaptiveRate },
  ).effectiveSamplingRate('checkout');
  // The collector keeps SDK-sampled traces whole; its own rate is the pipeline-sampled one.
  const collector = toTailPolicies(
    [
      {
        serviceName: 'checkout',
        policy: { ...policy, samplingLocation: 'pipeline' },
        adaptiveRate,
      },
    ],
    { policy: tierDefaultPolicy('standard') },
    { spansPerTrace: 1 },
  ).policies.find(p => p.name === 'service:checkout:sample');
  const collectorRate =
    collector?.type === 'and' && collector.policies[1].type === 'probabilistic'
      ? collector.policies[1].rate
      : undefined;
  return {
    jaeger:
      jaeger.strategyType === 'PROBABILISTIC'
        ? jaeger.probabilisticSampling.samplingRate
        : undefined,
    pages,
    collector: collectorRate,
  };
}

describe('the rate a service gets', () => {
  it.each<[string, SamplingStrategy, number | undefined]>([
    ['probabilistic', { type: 'probabilistic', rate: 0.25 }, undefined],
    ['adaptive with a computed rate', adaptive, 0.3],
    ['adaptive above its maxRate', adaptive, 0.9],
    ['adaptive before any rate is computed', adaptive, undefined],
  ])(
    'is the same for SDKs, the collector and the pages: %s',
    (_, strategy, adaptiveRate) => {
      const expected = strategyRateOf(strategy, adaptiveRate);
      expect(expected).toBeDefined();
      expect(ratesFor(sdkPolicy(strategy), adaptiveRate)).toEqual({
        jaeger: expected,
        pages: expected,
        collector: expected,
      });
    },
  );

  it('is no fixed rate under rate limiting, everywhere', () => {
    expect(
      ratesFor(sdkPolicy({ type: 'rate-limiting', tracesPerSecond: 5 }), 0.5),
    ).toEqual({ jaeger: undefined, pages: undefined, collector: undefined });
  });
});
