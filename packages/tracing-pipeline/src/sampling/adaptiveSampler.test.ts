import { Registry } from 'prom-client';
import { AdaptiveStrategy, SAMPLING_METRICS } from '@internal/tracing-model';
import {
  ADAPTIVE_OVERFLOW_SERVICE,
  AdaptiveSampler,
  shareOfOwners,
  validShare,
} from './adaptiveSampler';
import { ManualClock } from './testing';

const strategy = (over: Partial<AdaptiveStrategy> = {}): AdaptiveStrategy => ({
  type: 'adaptive',
  targetTracesPerSecond: 20,
  minRate: 0.001,
  maxRate: 1,
  ...over,
});

/**
 * Simulates `seconds` of traffic at `tracesPerSecond` (spread over each second in 10 ms steps),
 * returning the rate at the end of every interval.
 */
function simulate(
  sampler: AdaptiveSampler,
  clock: ManualClock,
  s: AdaptiveStrategy,
  tracesPerSecond: number,
  seconds: number,
  intervalMs: number,
): number[] {
  const rates: number[] = [];
  const perStep = tracesPerSecond / 100;
  let carry = 0;
  for (let step = 0; step < seconds * 100; step++) {
    clock.advance(10);
    carry += perStep;
    while (carry >= 1) {
      sampler.observe('svc', s, clock.nowMs);
      carry -= 1;
    }
    sampler.tick(clock.nowMs);
    if (((step + 1) * 10) % intervalMs === 0)
      rates.push(sampler.rate('svc', s, clock.nowMs));
  }
  return rates;
}

describe('AdaptiveSampler', () => {
  const intervalMs = 1000;

  it('converges on traffic steps 10 → 1000 → 50 traces/s within bounded intervals, never leaving [min, max]', () => {
    const clock = new ManualClock();
    const s = strategy({
      targetTracesPerSecond: 5,
      minRate: 0.002,
      maxRate: 0.8,
    });
    const sampler = new AdaptiveSampler({
      clock: clock.now,
      intervalMs,
      warmupMs: intervalMs,
    });
    const phases = [
      // [traffic, desired rate (clamped)]
      [10, 0.5],
      [1000, 0.005],
      [50, 0.1],
    ] as const;
    const all: number[] = [];
    for (const [traffic, desired] of phases) {
      const rates = simulate(sampler, clock, s, traffic, 30, intervalMs);
      all.push(...rates);
      // Going up is bounded to x2 per interval: log2(ratio) + 2 intervals; going down is immediate.
      const previous =
        all.length > rates.length
          ? all[all.length - rates.length - 1]
          : s.minRate;
      const bound =
        desired > previous ? Math.ceil(Math.log2(desired / previous)) + 2 : 2;
      const settled = rates.findIndex(
        r => Math.abs(r - desired) / desired < 0.05,
      );
      expect(settled).toBeGreaterThanOrEqual(0);
      expect(settled).toBeLessThanOrEqual(bound);
      // and stays there
      for (const r of rates.slice(settled))
        expect(Math.abs(r - desired) / desired).toBeLessThan(0.05);
      // kept traces per second at the end are near the target
      expect(traffic * rates[rates.length - 1]).toBeCloseTo(
        s.targetTracesPerSecond,
        0,
      );
    }
    for (const r of all) {
      expect(r).toBeGreaterThanOrEqual(s.minRate);
      expect(r).toBeLessThanOrEqual(s.maxRate);
    }
  });

  it('increases at most x2 per interval after warm-up, and decreases at once', () => {
    const clock = new ManualClock();
    const s = strategy({ targetTracesPerSecond: 100 });
    const sampler = new AdaptiveSampler({
      clock: clock.now,
      intervalMs,
      warmupMs: intervalMs,
    });
    const rates = [
      ...simulate(sampler, clock, s, 100_000, 3, intervalMs), // desired 0.001
      ...simulate(sampler, clock, s, 100, 12, intervalMs), // desired 1
    ];
    for (let i = 1; i < rates.length; i++) {
      expect(rates[i] / rates[i - 1]).toBeLessThanOrEqual(2 + 1e-9);
    }
    expect(rates[0]).toBeCloseTo(0.001, 6);
    expect(rates[rates.length - 1]).toBe(1);
    // and straight back down, at the end of the first interval that saw the surge (intervals
    // start with the first observation, so that is within two interval lengths)
    const down = simulate(sampler, clock, s, 10_000, 2, intervalMs);
    expect(down[1]).toBeCloseTo(0.01, 6);
  });

  it('starts at minRate and makes an unbounded first step after warm-up', () => {
    const clock = new ManualClock();
    const s = strategy({ targetTracesPerSecond: 10, minRate: 0.0001 });
    const sampler = new AdaptiveSampler({
      clock: clock.now,
      intervalMs: 10_000,
      warmupMs: 1000,
    });
    expect(sampler.rate('svc', s)).toBe(0.0001);
    for (let i = 0; i < 20; i++) sampler.observe('svc', s);
    clock.advance(1000);
    expect(sampler.rate('svc', s)).toBe(0.5);
  });

  it('goes to maxRate (bounded) when a service goes quiet', () => {
    const clock = new ManualClock();
    const s = strategy({ targetTracesPerSecond: 1, maxRate: 0.5 });
    const sampler = new AdaptiveSampler({
      clock: clock.now,
      intervalMs,
      warmupMs: intervalMs,
    });
    simulate(sampler, clock, s, 1000, 2, intervalMs);
    const quiet = simulate(sampler, clock, s, 0, 12, intervalMs);
    expect(quiet[quiet.length - 1]).toBe(0.5);
  });

  it('applies new bounds at once when the strategy changes', () => {
    const clock = new ManualClock();
    const sampler = new AdaptiveSampler({ clock: clock.now });
    expect(sampler.rate('svc', strategy({ minRate: 0.01 }))).toBe(0.01);
    expect(sampler.rate('svc', strategy({ minRate: 0.2 }))).toBe(0.2);
  });

  it('keeps per-service state and reports current rates', () => {
    const clock = new ManualClock();
    const sampler = new AdaptiveSampler({
      clock: clock.now,
      intervalMs,
      warmupMs: intervalMs,
    });
    const s = strategy({ targetTracesPerSecond: 10 });
    for (let i = 0; i < 100; i++) sampler.observe('a', s);
    for (let i = 0; i < 1000; i++) sampler.observe('b', s);
    clock.advance(intervalMs);
    sampler.tick();
    expect(sampler.currentRates()).toEqual({ a: 0.1, b: 0.01 });
  });

  it('pools services beyond maxServices', () => {
    const sampler = new AdaptiveSampler({ maxServices: 2, clock: () => 0 });
    const s = strategy();
    sampler.observe('a', s);
    sampler.observe('b', s);
    sampler.observe('c', s);
    sampler.observe('d', s);
    expect(Object.keys(sampler.currentRates()).sort()).toEqual(
      [ADAPTIVE_OVERFLOW_SERVICE, 'a', 'b'].sort(),
    );
  });

  it('exports tracing_health_sampling_rate{service}', async () => {
    const registry = new Registry();
    const clock = new ManualClock();
    const sampler = new AdaptiveSampler({
      clock: clock.now,
      registry,
      intervalMs,
      warmupMs: intervalMs,
    });
    const s = strategy({ targetTracesPerSecond: 5 });
    for (let i = 0; i < 50; i++) sampler.observe('checkout', s);
    clock.advance(intervalMs);
    sampler.tick();
    expect(await registry.metrics()).toContain(
      `${SAMPLING_METRICS.rate}{service="checkout"} 0.1`,
    );
  });

  it('holds the target across a fleet of owners: each aims at target × its share, as the owners change', () => {
    const clock = new ManualClock();
    const s = strategy({ targetTracesPerSecond: 30, minRate: 0.001 });
    let owners = 3;
    const fleet = Array.from(
      { length: 4 },
      () =>
        new AdaptiveSampler({
          clock: clock.now,
          intervalMs,
          warmupMs: intervalMs,
          share: () => shareOfOwners(owners),
        }),
    );
    // 600 traces/s over the fleet, by trace id: each of 3 owners sees 200/s.
    const second = (live: number) => {
      for (let i = 0; i < 600; i++) fleet[i % live].observe('svc', s);
      clock.advance(intervalMs);
      fleet.forEach(a => a.tick());
    };
    second(3);
    const kept = (live: number) =>
      fleet
        .slice(0, live)
        .reduce((n, a) => n + (600 / live) * a.rate('svc', s), 0);
    expect(fleet[0].rate('svc', s)).toBeCloseTo(30 / 600, 6);
    expect(kept(3)).toBeCloseTo(30, 6);
    // A fourth replica joins: each owner now sees 150/s and aims at 30 / 4.
    owners = 4;
    second(4);
    expect(fleet[3].rate('svc', s)).toBeCloseTo(30 / 600, 6);
    expect(kept(4)).toBeCloseTo(30, 6);
  });

  it('counts a share outside (0, 1] as the whole fleet', () => {
    expect([0.25, 1, 0, -1, 2, NaN].map(validShare)).toEqual([
      0.25, 1, 1, 1, 1, 1,
    ]);
    expect([0, 1, 4, 2.5].map(shareOfOwners)).toEqual([1, 1, 0.25, 0.5]);
  });
});
