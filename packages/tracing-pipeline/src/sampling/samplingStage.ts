import type { Registry } from 'prom-client';
import type { SamplingPolicySource } from '@internal/tracing-model';
import { HoldingStage, SpanBatch, StageOutputs } from '../otlp/model';
import { AdaptiveSampler, AdaptiveSamplerOptions } from './adaptiveSampler';
import { HeadSampler, alwaysKeepRule } from './headSampler';
import { SamplingMetrics } from './metrics';
import type { TailPolicy, TraceEvaluator } from './policies';
import { TailSampler, TailSamplerOptions } from './tailSampler';

/** Tail buffering of the sampling stage (`tracingHealth.sampling.tail`). */
export interface SamplingTailOptions {
  /**
   * Buffer traces (default true). When false, each trace is decided when its first spans
   * arrive, on those spans only: the always-keep rules then only see errors and slow spans in
   * that first batch. Later spans still follow the decision.
   */
  enabled?: boolean;
  /** Default 10 000 ms. */
  decisionWaitMs?: number;
  /** Default 50 000. */
  maxTraces?: number;
  /** Default 128 MiB. */
  maxBytes?: number;
  /** Default 100 000 each. */
  decisionCache?: { sampledSize?: number; notSampledSize?: number };
  /** Extra tail policies, after the head strategy and the always-keep rules. */
  policies?: TailPolicy[];
  /** Default 1000; 0 for no timer (call `tick`). */
  tickIntervalMs?: number;
}

export interface SamplingStageOptions {
  policySource: SamplingPolicySource;
  tail?: SamplingTailOptions;
  adaptive?: Omit<AdaptiveSamplerOptions, 'clock' | 'registry' | 'metrics'>;
  /** Where the sampling metrics go (never the global registry). */
  registry: Registry;
  /** Milliseconds clock; injected for tests. Default `Date.now`. */
  clock?: () => number;
  /** The `drop` reason of traces not kept. Default `sampling`. */
  dropReason?: string;
  /** Errors thrown while deciding on the timer. */
  onError?: (error: unknown) => void;
  /** See `TailSamplerOptions.compactHeldSpans` (default true). */
  compactHeldSpans?: boolean;
  /** See `TailSamplerOptions.onDecided` (trace digests for previews and downstream cost). */
  onDecided?: TailSamplerOptions['onDecided'];
  /**
   * This stage's share of the fleet's traces, `1 / owners` (portal replicas × worker threads):
   * adaptive targets and `rate-limiting` strategies are multiplied by it so they hold across
   * the fleet (see AdaptiveSamplerOptions.share). Default 1.
   */
  share?: () => number;
}

/** The sampling stage: a holding stage with a few controls. */
export interface SamplingStage extends HoldingStage {
  /** Decides the traces whose wait is over and recomputes adaptive rates (timer or tests). */
  tick(now?: number): void;
  /** Replaces the extra tail policies at run time; buffered traces are kept. */
  replaceTailPolicies(policies: TailPolicy[]): void;
  /** The computed rate per adaptive service, for the remote-sampling endpoint and pages. */
  currentRates(): Record<string, number>;
  stats(): ReturnType<TailSampler['stats']>;
  readonly head: HeadSampler;
}

/**
 * The sampling engine as one holding stage. Every trace is decided ONCE, as a whole, by:
 *
 * 1. the head strategy of its root (or entry) span's service (probabilistic / per-operation /
 *    adaptive: consistent thresholds; rate-limiting: token bucket; `sdk`: keep what arrives);
 * 2. the always-keep rules: a span with status ERROR, or longer than `keepSlowerThanMs`, in a
 *    service whose policy asks for it, keeps the whole trace;
 * 3. the extra tail policies.
 *
 * A trace is kept when any of them keeps it. Spans are buffered per trace for
 * `decisionWaitMs` so the rules see the whole trace; spans arriving after the decision follow
 * it. So all spans of a trace get the same decision: no partial traces, errors kept whole.
 * Policies come from `policySource` and apply live (its `version()` is checked per decision);
 * buffered traces are decided with the policies current at decision time.
 */
export function createSamplingStage(
  options: SamplingStageOptions,
): (outputs: StageOutputs) => SamplingStage {
  return outputs => {
    const clock = options.clock ?? Date.now;
    const metrics = SamplingMetrics.for(options.registry);
    const adaptive = new AdaptiveSampler({
      ...options.adaptive,
      clock,
      metrics,
      share: options.share,
    });
    const head = new HeadSampler({
      policySource: options.policySource,
      adaptive,
      clock,
      metrics,
      share: options.share,
    });
    const evaluators: TraceEvaluator[] = [
      {
        name: 'head',
        sampler: 'head',
        evaluate(trace, now) {
          const d = head.decide(trace, now);
          return {
            sampled: d.sampled,
            threshold: d.threshold,
            policy: d.policy,
            rule: d.rule,
            // A rate limit has no fixed probability; `sdk`: the SDK's own (in its tracestate).
            rate:
              d.policy === 'rate-limiting' || d.policy === 'sdk'
                ? null
                : d.threshold?.probability ?? d.rate,
            service: d.service,
          };
        },
      },
      {
        name: 'always-keep',
        sampler: 'tail',
        evaluate(trace) {
          const reason = head.alwaysKeep(trace);
          return reason
            ? {
                sampled: true,
                threshold: null,
                policy: reason,
                rule: alwaysKeepRule(reason),
                rate: 1,
              }
            : { sampled: false };
        },
      },
    ];
    const tailOptions = options.tail ?? {};
    const enabled = tailOptions.enabled ?? true;
    const tail = new TailSampler(outputs, {
      decisionWaitMs: enabled ? tailOptions.decisionWaitMs ?? 10_000 : 0,
      maxTraces: tailOptions.maxTraces,
      maxBytes: tailOptions.maxBytes,
      decisionCache: tailOptions.decisionCache,
      policies: tailOptions.policies,
      share: options.share,
      evaluators,
      clock,
      // The stage runs its own timer so adaptive rates move with it.
      tickIntervalMs: 0,
      metrics,
      dropReason: options.dropReason,
      onError: options.onError,
      compactHeldSpans: options.compactHeldSpans,
      annotateKept: true,
      onDecided: options.onDecided,
    });

    const tick = (now = clock()) => {
      tail.tick(now);
      adaptive.tick(now);
    };
    const tickIntervalMs = tailOptions.tickIntervalMs ?? 1000;
    let timer: ReturnType<typeof setInterval> | undefined;
    if (tickIntervalMs > 0) {
      timer = setInterval(() => {
        try {
          tick();
        } catch (error) {
          options.onError?.(error);
        }
      }, tickIntervalMs);
      timer.unref?.();
    }

    return {
      head,
      consume: (batch: SpanBatch) => tail.consume(batch),
      held: () => tail.held(),
      flush: () => tail.flush(),
      async shutdown() {
        if (timer) clearInterval(timer);
        timer = undefined;
        await tail.shutdown();
      },
      tick,
      replaceTailPolicies: policies => tail.replacePolicies(policies),
      currentRates: () => adaptive.currentRates(),
      stats: () => tail.stats(),
    };
  };
}
