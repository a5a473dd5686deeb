import { HoldingStage, SpanBatch, StageOutputs } from '../otlp/model';
import { receivedSpansOf } from '../otlp/wire';
import { LruMap } from './lruMap';
import { SamplingMetrics } from './metrics';
import {
  type TailPolicy,
  type TailPolicyContext,
  type TraceEvaluator,
  WHOLE_FLEET,
} from './policies';
import { validShare } from './adaptiveSampler';
import { SpanArena } from './spanArena';
import {
  applyThreshold,
  applyThresholds,
  evaluateTrace,
  ThresholdAction,
} from './tailDecision';
import { countDecisions, newPending, Pending } from './tailPending';
import { compileTailPolicy } from './tailPolicies';
import type {
  EarlyDecisionReason,
  TailSamplerOptions,
} from './tailSamplerOptions';
import {
  HeldSpan,
  SpanOrigin,
  TraceData,
  TraceView,
  serviceOf,
  traceKey,
} from './traceData';
import { KeptTraceLabels, annotateKeptSpan } from './whyKept';

export type {
  DecisionOutcome,
  EarlyDecisionReason,
  TailSamplerOptions,
} from './tailSamplerOptions';

/**
 * Tail sampling as a holding stage. Spans are buffered per trace for `decisionWaitMs` after
 * the trace's first span, then the trace is decided as a whole by the evaluators and policies
 * (kept when any keeps it) and forwarded or dropped in one piece.
 *
 * Differences from the collector's `tail_sampling` that matter in operation:
 * - bounded by traces AND bytes; when a bound is hit the OLDEST traces are decided early (with
 *   the policies, on what has arrived) and counted in
 *   `tracing_health_sampling_early_decisions_total{reason}`, never silently evicted;
 * - decisions are remembered in two LRU caches (kept / not kept) so spans arriving after the
 *   decision follow it (`tracing_health_sampling_late_spans_total`), so a trace is never split;
 * - `replacePolicies` swaps policies at run time; buffered traces stay and are decided later
 *   with the new policies;
 * - `tick(now)` and an injectable clock make it deterministic to test.
 */
export class TailSampler implements HoldingStage {
  private readonly traces = new Map<string, TraceData>();
  /** Traces in first-seen order; decisions always take from the front. */
  private queue: TraceData[] = [];
  private queueHead = 0;
  private heldSpans = 0;
  private heldBytes = 0;
  private readonly sampledCache: LruMap<ThresholdAction>;
  private readonly notSampledCache: LruMap<true>;
  private compiled: TraceEvaluator[];
  private readonly policyContext: TailPolicyContext;
  private readonly evaluators: TraceEvaluator[];
  private readonly decisionWaitMs: number;
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private readonly clock: () => number;
  private readonly metrics: SamplingMetrics;
  private readonly dropReason: string;
  private readonly onError: (error: unknown) => void;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly compactHeldSpans: boolean;
  private readonly arena = new SpanArena();
  private readonly keptLabels = new KeptTraceLabels();
  private readonly onDecided?: TailSamplerOptions['onDecided'];
  private readonly annotateKept: boolean;
  private readonly onInconsistent = () =>
    this.metrics.inconsistentThresholds.inc();

  constructor(
    private readonly outputs: StageOutputs,
    options: TailSamplerOptions = {},
  ) {
    this.decisionWaitMs = Math.max(0, options.decisionWaitMs ?? 10_000);
    this.maxTraces = Math.max(1, options.maxTraces ?? 50_000);
    this.maxBytes = Math.max(1, options.maxBytes ?? 128 * 1024 * 1024);
    this.sampledCache = new LruMap(
      options.decisionCache?.sampledSize ?? 100_000,
    );
    this.notSampledCache = new LruMap(
      options.decisionCache?.notSampledSize ?? 100_000,
    );
    const share = options.share;
    this.policyContext = share
      ? { share: () => validShare(share()) }
      : WHOLE_FLEET;
    this.compiled = (options.policies ?? []).map(p =>
      compileTailPolicy(p, this.policyContext),
    );
    this.evaluators = options.evaluators ?? [];
    this.clock = options.clock ?? Date.now;
    this.metrics =
      options.metrics ??
      (options.registry
        ? SamplingMetrics.for(options.registry)
        : SamplingMetrics.detached());
    this.dropReason = options.dropReason ?? 'sampling';
    this.onError = options.onError ?? (() => {});
    this.compactHeldSpans = options.compactHeldSpans ?? true;
    this.onDecided = options.onDecided;
    this.annotateKept = options.annotateKept ?? false;
    const tickIntervalMs = options.tickIntervalMs ?? 1000;
    if (tickIntervalMs > 0 && this.decisionWaitMs > 0) {
      this.timer = setInterval(() => {
        try {
          this.tick();
        } catch (error) {
          this.onError(error);
        }
      }, tickIntervalMs);
      this.timer.unref?.();
    }
  }

  consume(batch: SpanBatch): void {
    const now = this.clock();
    let total = 0;
    for (const rs of batch.resourceSpans) {
      for (const ss of rs.scopeSpans ?? []) total += ss.spans?.length ?? 0;
    }
    if (total === 0) return;
    const perSpan = batch.bytes / total;
    const pending = newPending();
    let invalid = 0;

    const compact =
      this.compactHeldSpans && this.decisionWaitMs > 0 && !this.closed;
    for (const rs of batch.resourceSpans) {
      const resource = rs.resource;
      const service = serviceOf(resource);
      for (const ss of rs.scopeSpans ?? []) {
        const spans = ss.spans;
        if (!spans || spans.length === 0) continue;
        const received = compact ? receivedSpansOf(rs, ss) : undefined;
        const origin: SpanOrigin = {
          resource,
          resourceSchemaUrl: rs.schemaUrl,
          scope: ss.scope,
          scopeSchemaUrl: ss.schemaUrl,
          service,
        };
        for (let i = 0; i < spans.length; i++) {
          const span = spans[i];
          const key = traceKey(span.traceId);
          if (key === undefined) {
            invalid++;
            continue;
          }
          let entry = this.traces.get(key);
          if (!entry) {
            const cached = this.sampledCache.get(key);
            if (cached !== undefined) {
              applyThreshold(span, cached);
              pending.builder.add(origin, span);
              pending.builder.addBytes(perSpan);
              pending.lateSampled++;
              continue;
            }
            if (this.notSampledCache.get(key) !== undefined) {
              pending.droppedSpans++;
              pending.droppedBytes += perSpan;
              pending.lateNotSampled++;
              continue;
            }
            entry = {
              key,
              // A copy: a decoded id shares the request's buffer, which it would keep alive.
              traceId: compact ? Uint8Array.from(span.traceId!) : span.traceId!,
              spans: [],
              bytes: 0,
              firstSeenMs: now,
            };
            this.traces.set(key, entry);
            this.queue.push(entry);
          }
          if (compact) {
            this.arena.store(span, received, i);
            entry.spans.push(HeldSpan.stored(origin, this.arena));
          } else {
            entry.spans.push(HeldSpan.decoded(origin, span));
          }
          entry.bytes += perSpan;
          this.heldSpans++;
          this.heldBytes += perSpan;
        }
      }
    }

    if (invalid > 0) {
      this.metrics.invalidTraceIds.inc(invalid);
      this.outputs.drop(
        invalid,
        Math.round(invalid * perSpan),
        'invalid_trace_id',
      );
    }
    if (this.decisionWaitMs === 0 || this.closed) {
      while (this.queueHead < this.queue.length)
        this.decideOldest(now, pending);
    }
    while (this.traces.size > this.maxTraces)
      this.decideOldest(now, pending, 'max_traces');
    while (this.heldBytes > this.maxBytes && this.traces.size > 0) {
      this.decideOldest(now, pending, 'max_bytes');
    }
    this.finish(pending);
  }

  /** Decides every trace whose wait is over at `now`. */
  tick(now = this.clock()): void {
    const pending = newPending();
    while (
      this.queueHead < this.queue.length &&
      this.queue[this.queueHead].firstSeenMs + this.decisionWaitMs <= now
    ) {
      this.decideOldest(now, pending);
    }
    this.finish(pending);
  }

  held(): { spans: number; bytes: number } {
    return { spans: this.heldSpans, bytes: Math.round(this.heldBytes) };
  }

  /** Traces, spans and bytes held, and decision cache sizes. */
  stats(): {
    traces: number;
    spans: number;
    bytes: number;
    sampledCache: number;
    notSampledCache: number;
  } {
    return {
      traces: this.traces.size,
      spans: this.heldSpans,
      bytes: Math.round(this.heldBytes),
      sampledCache: this.sampledCache.size,
      notSampledCache: this.notSampledCache.size,
    };
  }

  async flush(): Promise<void> {
    const now = this.clock();
    const pending = newPending();
    while (this.queueHead < this.queue.length)
      this.decideOldest(now, pending, 'flush');
    this.finish(pending);
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Replaces the configured policies; buffered traces stay and are decided with the new ones. */
  replacePolicies(policies: TailPolicy[]): void {
    this.compiled = policies.map(p => compileTailPolicy(p, this.policyContext));
  }

  private finish(pending: Pending): void {
    this.compactQueue();
    this.metrics.tailTraces.set(this.traces.size);
    this.metrics.tailSpans.set(this.heldSpans);
    this.metrics.tailBytes.set(Math.round(this.heldBytes));
    countDecisions(this.metrics, pending);
    if (pending.droppedSpans > 0) {
      this.outputs.drop(
        pending.droppedSpans,
        Math.round(pending.droppedBytes),
        this.dropReason,
      );
    }
    const batch = pending.builder.build();
    if (batch) this.outputs.forward(batch);
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (
      this.queueHead > 1024 &&
      this.queueHead * 2 > this.queue.length
    ) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private decideOldest(
    now: number,
    pending: Pending,
    early?: EarlyDecisionReason,
  ): void {
    const entry = this.queue[this.queueHead];
    this.queue[this.queueHead++] = undefined as unknown as TraceData;
    this.traces.delete(entry.key);
    this.heldSpans -= entry.spans.length;
    this.heldBytes -= entry.bytes;
    if (this.traces.size === 0) this.heldBytes = 0; // no float drift when empty
    if (early) pending.early.set(early, (pending.early.get(early) ?? 0) + 1);

    const view = new TraceView(entry, this.onInconsistent);
    const decision = evaluateTrace([this.evaluators, this.compiled], view, now);
    const key = `${decision.sampler}|${decision.policy}|${
      decision.sampled ? 'sampled' : 'not_sampled'
    }`;
    pending.decisions.set(key, (pending.decisions.get(key) ?? 0) + 1);
    const views = view.spans();
    let rootIndex = views.findIndex(v => v.isRoot);
    if (rootIndex < 0) rootIndex = 0;
    this.onDecided?.(view, {
      sampled: decision.sampled,
      rule: decision.rule,
      rate: decision.rate,
      rootIndex,
    });
    if (decision.sampled) {
      this.sampledCache.set(entry.key, decision.action);
      const spans = views.map(v => v.toSpan());
      applyThresholds(spans, decision.action);
      if (spans.length > 0) {
        const rule = decision.rule ?? 'rate';
        if (this.annotateKept)
          annotateKeptSpan(spans[rootIndex], rule, decision.rate);
        const labelKey = this.keptLabels.key(
          decision.service ?? views[rootIndex].origin.service,
          rule,
        );
        pending.kept.set(labelKey, (pending.kept.get(labelKey) ?? 0) + 1);
      }
      for (let i = 0; i < spans.length; i++)
        pending.builder.add(views[i].origin, spans[i]);
      pending.builder.addBytes(entry.bytes);
    } else {
      this.notSampledCache.set(entry.key, true);
      pending.droppedSpans += entry.spans.length;
      pending.droppedBytes += entry.bytes;
    }
  }
}

/** `createTailSampler(options)(outputs)`: the stage-factory form the pipeline composes. */
export function createTailSampler(
  options: TailSamplerOptions = {},
): (outputs: StageOutputs) => TailSampler {
  return outputs => new TailSampler(outputs, options);
}
