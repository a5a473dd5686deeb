import type { Registry } from 'prom-client';
import { type SamplingPolicySource } from '@internal/tracing-model';
import { AdaptiveSampler, validShare } from './adaptiveSampler';
import { strategyRateOf } from './strategyRate';
import {
  Threshold,
  isSampled,
  maxThreshold,
  thresholdForRate,
} from './consistent';
import { SamplingMetrics } from './metrics';
import { TokenBuckets } from './rateLimiter';
import {
  AlwaysKeepReason,
  alwaysKeepReasonOf,
  CompiledPolicy,
  compilePolicy,
  headRateOf,
} from './compiledPolicy';
import { SpanView, SpanOrigin, TraceView } from './traceData';

export {
  alwaysKeepReasonOf,
  alwaysKeepRule,
  compilePolicy,
  headRateOf,
} from './compiledPolicy';
export type {
  AlwaysKeepReason,
  CompiledPolicy,
  RuleSubject,
} from './compiledPolicy';

/** Which part of a policy made a head decision (the `policy` label of the decision metric). */
export type HeadPolicyLabel =
  | 'probabilistic'
  | 'adaptive'
  | 'rate-limiting'
  | 'operation'
  | 'sdk';

/** What a trace's policy says before always-keep rules and tail policies are applied. */
export interface HeadDecision {
  sampled: boolean;
  /**
   * The threshold to write as `ot=th` on kept spans; null to erase `th` (not a probabilistic
   * decision, e.g. rate-limiting); undefined to leave tracestates as they are (`sdk`).
   */
  threshold: Threshold | null | undefined;
  policy: HeadPolicyLabel;
  /** The service whose policy decided (the root's, or the entry span's with the highest rate). */
  service: string;
  /** The probability applied, for probabilistic decisions. */
  rate?: number;
  /** The rule label kept traces carry (`SAMPLING_SPAN_ATTRIBUTES.rule`). */
  rule: string;
}

export interface HeadSamplerOptions {
  policySource: SamplingPolicySource;
  /** Shared adaptive state; one is created (with `registry`/`metrics`/`clock`) when absent. */
  adaptive?: AdaptiveSampler;
  /** Milliseconds clock; injected for tests. Default `Date.now`. */
  clock?: () => number;
  registry?: Registry;
  metrics?: SamplingMetrics;
  /** Compiled policies kept (services); default 2000. */
  maxServices?: number;
  /**
   * This sampler's share of the fleet's traces (see AdaptiveSamplerOptions.share): a
   * `rate-limiting` strategy's traces per second are multiplied by it. Default 1.
   */
  share?: () => number;
}

type Candidate =
  | {
      kind: 'probabilistic';
      rate: number;
      label: HeadPolicyLabel;
      service: string;
      leave: boolean;
      rule: string;
    }
  | {
      kind: 'rate-limiting';
      tracesPerSecond: number;
      service: string;
      rule: string;
    };

/**
 * Head sampling by per-service policy, decided once per trace and consistently:
 *
 * - The policy is the one of the trace's ROOT span's service (a span with no parent). When
 *   the root is not among the spans seen, each ENTRY span (SERVER/CONSUMER kind, or remote
 *   parent) is evaluated with its own service's policy and the highest rate wins: with
 *   consistent thresholds the keep-set of the highest rate contains the others, so no service
 *   that would have kept the trace loses it.
 * - Per-operation rules match the root/entry span (name exactly, by regex, or an attribute);
 *   the first matching rule's rate replaces the strategy's.
 * - Probabilistic and adaptive decisions are consistent: R (trace id low 56 bits or `rv`)
 *   >= T (the rate's threshold). An incoming `ot=th` stricter than ours is honoured (T =
 *   max(T_in, T_own)); a looser one is tightened to ours. Kept traces carry `ot=th:<T>`.
 * - `rate-limiting` is a token bucket per service (not consistent; erases `th`) refilled at
 *   `tracesPerSecond × share`, so the owners of a fleet together keep `tracesPerSecond`.
 * - `samplingLocation: sdk` keeps what arrives: the SDK already applied the strategy.
 */
export class HeadSampler {
  readonly adaptive: AdaptiveSampler;
  private readonly source: SamplingPolicySource;
  private readonly clock: () => number;
  private readonly metrics?: SamplingMetrics;
  private readonly buckets = new TokenBuckets();
  private readonly compiled = new Map<string, CompiledPolicy>();
  private readonly maxServices: number;
  private readonly share: () => number;
  private compiledVersion: number | undefined;
  private compiledDefault: CompiledPolicy | undefined;
  private lastRateGaugeMs = Number.NEGATIVE_INFINITY;

  constructor(options: HeadSamplerOptions) {
    this.source = options.policySource;
    this.clock = options.clock ?? Date.now;
    this.metrics =
      options.metrics ??
      (options.registry ? SamplingMetrics.for(options.registry) : undefined);
    this.adaptive =
      options.adaptive ??
      new AdaptiveSampler({
        clock: this.clock,
        metrics: this.metrics,
        share: options.share,
      });
    this.maxServices = options.maxServices ?? 2000;
    const share = options.share;
    this.share = share ? () => validShare(share()) : () => 1;
  }

  /** The compiled policy of a service (its own, else the default). */
  policyFor(service: string): CompiledPolicy {
    const version = this.source.version();
    if (version !== this.compiledVersion) {
      this.compiled.clear();
      this.compiledDefault = undefined;
      this.compiledVersion = version;
      this.metrics?.rate.reset();
    }
    let policy = this.compiled.get(service);
    if (policy) return policy;
    const own = this.source.getPolicy(service);
    if (own) {
      policy = compilePolicy(own);
    } else {
      this.compiledDefault ??= compilePolicy(this.source.getDefaultPolicy());
      policy = this.compiledDefault;
    }
    if (this.compiled.size >= this.maxServices) {
      const oldest = this.compiled.keys().next().value;
      if (oldest !== undefined) {
        this.compiled.delete(oldest);
        this.metrics?.rate.remove({ service: oldest });
      }
    }
    this.compiled.set(service, policy);
    const strategy = policy.policy.strategy;
    if (strategy.type === 'probabilistic') {
      this.metrics?.rate.set(
        { service },
        policy.policy.samplingLocation === 'sdk' ? 1 : strategy.rate,
      );
    }
    return policy;
  }

  /** Decides a trace from the spans seen so far (see the class comment). */
  decide(trace: TraceView, now = this.clock()): HeadDecision {
    this.publishRateLimitedRates(now);
    const candidates = this.candidates(trace, now);
    let best: Extract<Candidate, { kind: 'probabilistic' }> | undefined;
    let limited: Extract<Candidate, { kind: 'rate-limiting' }> | undefined;
    for (const c of candidates) {
      if (c.kind === 'probabilistic') {
        if (!best || c.rate > best.rate) best = c;
      } else {
        limited ??= c;
      }
    }
    if (best) {
      if (best.leave) {
        return {
          sampled: true,
          threshold: undefined,
          policy: 'sdk',
          service: best.service,
          rate: 1,
          rule: 'sdk',
        };
      }
      const own = thresholdForRate(best.rate);
      const incoming = trace.incomingThreshold;
      const threshold = incoming ? maxThreshold(incoming, own) : own;
      return {
        sampled: isSampled(trace.randomness, threshold),
        threshold,
        policy: best.label,
        service: best.service,
        rate: best.rate,
        rule: best.rule,
      };
    }
    const c = limited!;
    return {
      sampled: this.buckets.take(
        c.service,
        c.tracesPerSecond * this.share(),
        now,
      ),
      threshold: null,
      policy: 'rate-limiting',
      service: c.service,
      rule: c.rule,
    };
  }

  /**
   * Whether the always-keep rules keep the trace: a span with status ERROR whose service keeps
   * errors, or a span longer than its service's `keepSlowerThanMs`.
   */
  alwaysKeep(trace: TraceView): AlwaysKeepReason | undefined {
    let reason: AlwaysKeepReason | undefined;
    let lastOrigin: SpanOrigin | undefined;
    let policy: CompiledPolicy | undefined;
    trace.some((span, origin) => {
      if (origin !== lastOrigin) {
        lastOrigin = origin;
        policy = this.policyFor(origin.service);
      }
      reason = alwaysKeepReasonOf(policy!, span.statusCode, span.durationNs);
      return reason !== undefined;
    });
    return reason;
  }

  /** The current computed rates of adaptive services. */
  currentRates(): Record<string, number> {
    return this.adaptive.currentRates();
  }

  private candidates(trace: TraceView, now: number): Candidate[] {
    const roots: Array<[SpanView, SpanOrigin]> = [];
    const entries: Array<[SpanView, SpanOrigin]> = [];
    trace.some((span, origin) => {
      if (span.isRoot) roots.push([span, origin]);
      else if (roots.length === 0 && span.isEntry) entries.push([span, origin]);
      return false;
    });
    let chosen = roots.length > 0 ? roots : entries;
    if (chosen.length === 0) {
      // Only inner spans seen so far: judge by the first span of each service present.
      const seen = new Set<string>();
      chosen = [];
      trace.some((span, origin) => {
        if (!seen.has(origin.service)) {
          seen.add(origin.service);
          chosen.push([span, origin]);
        }
        return false;
      });
    }
    const out: Candidate[] = [];
    const observed = new Set<string>();
    for (const [span, origin] of chosen) {
      out.push(this.candidate(span, origin, now, observed));
    }
    return out;
  }

  private candidate(
    span: SpanView,
    origin: SpanOrigin,
    now: number,
    observed: Set<string>,
  ): Candidate {
    const service = origin.service;
    const compiled = this.policyFor(service);
    const { strategy, samplingLocation } = compiled.policy;
    if (strategy.type === 'adaptive' && !observed.has(service)) {
      observed.add(service);
      const weight =
        samplingLocation === 'sdk'
          ? 1 / Math.max(1e-9, this.adaptive.rate(service, strategy, now))
          : 1;
      this.adaptive.observe(service, strategy, now, weight);
    }
    if (samplingLocation === 'sdk') {
      return {
        kind: 'probabilistic',
        rate: 1,
        label: 'sdk',
        service,
        leave: true,
        rule: 'sdk',
      };
    }
    // rate-limiting: NaN, only operation rules give a rate
    const strategyRate =
      strategyRateOf(
        strategy,
        strategy.type === 'adaptive'
          ? this.adaptive.rate(service, strategy, now)
          : undefined,
      ) ?? NaN;
    const head = headRateOf(compiled, span, strategyRate);
    if (!head.operation && strategy.type === 'rate-limiting') {
      return {
        kind: 'rate-limiting',
        tracesPerSecond: strategy.tracesPerSecond,
        service,
        rule: compiled.policy.decidedBy?.strategy ?? 'rate-limit',
      };
    }
    let label: HeadPolicyLabel = 'probabilistic';
    if (head.operation) label = 'operation';
    else if (strategy.type === 'adaptive') label = 'adaptive';
    return {
      kind: 'probabilistic',
      rate: head.rate,
      label,
      service,
      leave: false,
      rule: head.rule,
    };
  }

  /** Every 10 s, the kept fraction of rate-limited services goes to the rate gauge. */
  private publishRateLimitedRates(now: number): void {
    if (!this.metrics || now - this.lastRateGaugeMs < 10_000) return;
    this.lastRateGaugeMs = now;
    for (const [service, fraction] of this.buckets.drainKeptFractions()) {
      this.metrics.rate.set({ service }, fraction);
    }
  }
}
