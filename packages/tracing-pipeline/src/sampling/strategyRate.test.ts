import type { SamplingStrategy } from '@internal/tracing-model';
import { strategyRateOf } from './strategyRate';

const adaptive: SamplingStrategy = {
  type: 'adaptive',
  targetTracesPerSecond: 10,
  minRate: 0.01,
  maxRate: 0.5,
};

describe('strategyRateOf', () => {
  it.each<[string, SamplingStrategy, number | undefined, number | undefined]>([
    [
      'probabilistic: its rate',
      { type: 'probabilistic', rate: 0.25 },
      undefined,
      0.25,
    ],
    [
      'probabilistic ignores an adaptive rate',
      { type: 'probabilistic', rate: 0.25 },
      0.9,
      0.25,
    ],
    ['disabled (rate 0): 0', { type: 'probabilistic', rate: 0 }, undefined, 0],
    ['adaptive: the computed rate', adaptive, 0.2, 0.2],
    ['adaptive: clamped to maxRate', adaptive, 0.9, 0.5],
    ['adaptive: clamped to minRate', adaptive, 0.001, 0.01],
    ['adaptive without a computed rate: minRate', adaptive, undefined, 0.01],
    ['adaptive with a non-finite rate: minRate', adaptive, NaN, 0.01],
    [
      'rate limiting: no fixed rate',
      { type: 'rate-limiting', tracesPerSecond: 5 },
      0.3,
      undefined,
    ],
  ])('%s', (_, strategy, adaptiveRate, expected) => {
    expect(strategyRateOf(strategy, adaptiveRate)).toBe(expected);
  });
});
