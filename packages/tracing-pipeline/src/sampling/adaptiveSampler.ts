import type { Registry } from 'prom-client';
import type { AdaptiveStrategy } from '@internal/tracing-model';
import { SamplingMetrics } from './metrics';

export interface AdaptiveSamplerOptions {
  /** How often rates are recomputed. Default 10 s. */
  intervalMs?: number;
  /**
   * The first rate is computed after this much traffic was seen (default 1 s), and may jump
   * straight to what the traffic asks for; later steps are bounded by `maxIncreaseFactor`.
   */
  warmupMs?: number;
  /** A rate at most multiplies by this per interval (default 2). Decreases are not bounded. */
  maxIncreaseFactor?: number;
  /** Services tracked; more than this share one state (default 2000). */
  maxServices?: number;
  /** Milliseconds clock; injected for tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * This sampler's share of the fleet's traces, in (0, 1] (default 1): `1 / owners` when traces
   * are spread uniformly by trace id over several owners (portal replicas × worker threads).
   * Targets are multiplied by it, so the owners together keep the configured target.
   */
  share?: () => number;
  /** Where `tracing_health_sampling_rate{service}` goes. */
  registry?: Registry;
  metrics?: SamplingMetrics;
}

interface ServiceState {
  rate: number;
  /** Weighted traces seen since `windowStart`. */
  seen: number;
  windowStart: number;
  warmedUp: boolean;
  strategy: AdaptiveStrategy;
}

/** Services beyond `maxServices` are pooled under this name. */
export const ADAPTIVE_OVERFLOW_SERVICE = '__overflow__';

/** A share in (0, 1]; anything else (NaN, 0, negative, above 1) counts as the whole fleet. */
export function validShare(share: number): number {
  return share > 0 && share <= 1 ? share : 1;
}

/** The share of one owner among `owners` (members × workers); 1 for none or one. */
export function shareOfOwners(owners: number): number {
  return owners >= 1 ? 1 / Math.floor(owners) : 1;
}

function clamp(rate: number, strategy: AdaptiveStrategy): number {
  return Math.min(strategy.maxRate, Math.max(strategy.minRate, rate));
}

/**
 * Adaptive head sampling: per service, measures the traces per second this replica sees and
 * recomputes, every interval, the rate that keeps `targetTracesPerSecond`:
 *
 *     desired = target / observed traces per second      (maxRate when nothing was seen)
 *     next    = min(desired, current × maxIncreaseFactor)  when going up (bounded step)
 *     next    = desired                                 when going down (at once, to shed load)
 *     rate    = clamp(next, minRate, maxRate)
 *
 * It starts at `minRate` and makes its first, unbounded, step after `warmupMs`. Because the
 * pipeline sees the traffic before sampling (SDKs send everything when `samplingLocation` is
 * `pipeline`), the measurement does not depend on the rate and there is no feedback loop to
 * dampen. With `samplingLocation: sdk`, callers weight each observed trace by 1/rate.
 *
 * The decision itself is consistent probability sampling at the computed rate (see
 * consistent.ts); errors and slow traces are kept by the always-keep rules regardless of it.
 * The target holds across the fleet: each trace has one owner (a worker thread of one portal
 * replica, by trace id), so an owner sees about `share` of the fleet's traces and aims at
 * `target × share` (see `share`); the owners together keep about the target.
 */
export class AdaptiveSampler {
  private readonly states = new Map<string, ServiceState>();
  private readonly intervalMs: number;
  private readonly warmupMs: number;
  private readonly maxIncreaseFactor: number;
  private readonly maxServices: number;
  private readonly clock: () => number;
  private readonly share: () => number;
  private readonly metrics?: SamplingMetrics;

  constructor(options: AdaptiveSamplerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.warmupMs = Math.min(options.warmupMs ?? 1_000, this.intervalMs);
    this.maxIncreaseFactor = Math.max(1, options.maxIncreaseFactor ?? 2);
    this.maxServices = options.maxServices ?? 2000;
    this.clock = options.clock ?? Date.now;
    const share = options.share;
    this.share = share ? () => validShare(share()) : () => 1;
    this.metrics =
      options.metrics ??
      (options.registry ? SamplingMetrics.for(options.registry) : undefined);
  }

  /** Counts one trace (or `weight` traces) seen for `service`. */
  observe(
    service: string,
    strategy: AdaptiveStrategy,
    now = this.clock(),
    weight = 1,
  ): void {
    const [key, state] = this.stateOf(service, strategy, now);
    this.maybeRecompute(key, state, now);
    state.seen += weight;
  }

  /** The rate to apply to `service` now. */
  rate(
    service: string,
    strategy: AdaptiveStrategy,
    now = this.clock(),
  ): number {
    const [key, state] = this.stateOf(service, strategy, now);
    this.maybeRecompute(key, state, now);
    return state.rate;
  }

  /** Recomputes every service whose interval has elapsed (so idle services move too). */
  tick(now = this.clock()): void {
    for (const [service, state] of this.states)
      this.maybeRecompute(service, state, now);
  }

  /** The current computed rate of every tracked service. */
  currentRates(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [service, state] of this.states) out[service] = state.rate;
    return out;
  }

  /** Stops tracking a service (e.g. its strategy is no longer adaptive). */
  forget(service: string): void {
    if (this.states.delete(service)) this.metrics?.rate.remove({ service });
  }

  private stateOf(
    requestedService: string,
    strategy: AdaptiveStrategy,
    now: number,
  ): [string, ServiceState] {
    let service = requestedService;
    let state = this.states.get(service);
    if (!state && this.states.size >= this.maxServices) {
      service = ADAPTIVE_OVERFLOW_SERVICE;
      state = this.states.get(service);
    }
    if (!state) {
      state = {
        rate: strategy.minRate,
        seen: 0,
        windowStart: now,
        warmedUp: false,
        strategy,
      };
      this.states.set(service, state);
      this.metrics?.rate.set({ service }, state.rate);
    } else if (state.strategy !== strategy) {
      // The policy changed (new object per policy version): apply new bounds at once.
      state.strategy = strategy;
      const clamped = clamp(state.rate, strategy);
      if (clamped !== state.rate) {
        state.rate = clamped;
        this.metrics?.rate.set({ service }, clamped);
      }
    }
    return [service, state];
  }

  private maybeRecompute(
    service: string,
    state: ServiceState,
    now: number,
  ): void {
    const elapsed = now - state.windowStart;
    if (elapsed < (state.warmedUp ? this.intervalMs : this.warmupMs)) return;
    const { strategy } = state;
    const observedPerSecond = state.seen / (elapsed / 1000);
    const desired =
      observedPerSecond > 0
        ? (strategy.targetTracesPerSecond * this.share()) / observedPerSecond
        : strategy.maxRate;
    let next = desired;
    if (state.warmedUp && desired > state.rate) {
      next = Math.min(desired, state.rate * this.maxIncreaseFactor);
    }
    state.rate = clamp(next, strategy);
    state.seen = 0;
    state.windowStart = now;
    state.warmedUp = true;
    this.metrics?.rate.set({ service }, state.rate);
  }
}
