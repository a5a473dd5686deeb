import type { Registry } from 'prom-client';
import { tailPolicyRule } from '@internal/tracing-model';
import { HoldingStage, Span, SpanBatch, StageOutputs } from '../otlp/model';
import { Threshold, withThreshold } from './consistent';
import { SamplingMetrics } from './metrics';
import type { TailPolicy, TraceEvaluator } from './policies';
import { compileTailPolicy } from './tailPolicies';
import { KeptTraceLabels, annotateKeptSpan } from './whyKept';
import { receivedSpansOf } from '../otlp/wire';
import { SpanArena } from './spanArena';
import {
  BatchBuilder,
  HeldSpan,
  SpanOrigin,
  TraceData,
  TraceView,
  serviceOf,
  traceKey,
} from './traceData';

export interface TailSamplerOptions {
  /** How long after a trace's first span it is decided. Default 10 s; 0 decides on arrival. */
  decisionWaitMs?: number;
  /** Traces held at most; beyond it the oldest are decided early. Default 50 000. */
  maxTraces?: number;
  /** Estimated bytes held at most; beyond it the oldest are decided early. Default 128 MiB. */
  maxBytes?: number;
  /** Sizes of the caches by which late spans follow their trace's decision. */
  decisionCache?: { sampledSize?: number; notSampledSize?: number };
  /** Configured tail policies (validated with `validateTailPolicies`). */
  policies?: TailPolicy[];
  /**
   * Evaluated before `policies`, in order; the stage puts the head sampler and the always-keep
   * rules here. The first evaluator or policy that keeps a trace decides it.
   */
  evaluators?: TraceEvaluator[];
  /** Milliseconds clock; injected for tests. Default `Date.now`. */
  clock?: () => number;
  /** How often a timer calls `tick()`. Default 1000; 0 for no timer (call `tick` yourself). */
  tickIntervalMs?: number;
  registry?: Registry;
  metrics?: SamplingMetrics;
  /** The `drop` reason of traces not kept. Default `sampling`. */
  dropReason?: string;
  /** Called with errors thrown while deciding on the timer (e.g. by `outputs.forward`). */
  onError?: (error: unknown) => void;
  /**
   * Hold buffered spans as their protobuf bytes (default true) rather than as decoded objects,
   * which take about five times the memory. Kept spans are decoded again when forwarded, and
   * any span when a policy reads its attributes; values are unchanged.
   */
  compactHeldSpans?: boolean;
  /**
   * Write why each kept trace was kept on its root span (or first span): see `annotateKeptSpan`.
   * Default false; the sampling stage turns it on.
   */
  annotateKept?: boolean;
  /** Called once per decided trace, before its spans are forwarded (e.g. trace digests). */
  onDecided?: (trace: TraceView, outcome: DecisionOutcome) => void;
}

/** What `onDecided` is told about a trace. */
export interface DecisionOutcome {
  sampled: boolean;
  /** The rule label (kept traces only). */
  rule?: string;
  /** The probability it was kept at, when one applies (kept traces only). */
  rate?: number;
  /** Index (in `trace.spans()`) of the root span, or of the first span when the root is absent. */
  rootIndex: number;
}

/** How kept spans' tracestates are rewritten: set `th`, erase it (null), or leave them. */
const LEAVE = Symbol('leave');
type ThresholdAction = Threshold | null | typeof LEAVE;

/** A map that forgets its least recently used entries beyond `max` (0 disables it). */
class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    if (this.max <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
  get size(): number {
    return this.map.size;
  }
}

interface Decision {
  sampled: boolean;
  action: ThresholdAction;
  sampler: 'head' | 'tail';
  policy: string;
  rule?: string;
  rate?: number;
  service?: string;
}

/** Why traces are decided before their wait is over. */
export type EarlyDecisionReason = 'max_traces' | 'max_bytes' | 'flush';

interface Pending {
  builder: BatchBuilder;
  droppedSpans: number;
  droppedBytes: number;
  lateSampled: number;
  lateNotSampled: number;
  /** Decision counts by `sampler|policy|decision`, added to the counter once per call. */
  decisions: Map<string, number>;
  early: Map<EarlyDecisionReason, number>;
  /** Kept traces by `service|rule kind`. */
  kept: Map<string, number>;
}

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
    this.compiled = (options.policies ?? []).map(compileTailPolicy);
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
    const pending = this.newPending();
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
    const pending = this.newPending();
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
    const pending = this.newPending();
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
    this.compiled = policies.map(compileTailPolicy);
  }

  private newPending(): Pending {
    return {
      builder: new BatchBuilder(),
      droppedSpans: 0,
      droppedBytes: 0,
      lateSampled: 0,
      lateNotSampled: 0,
      decisions: new Map(),
      early: new Map(),
      kept: new Map(),
    };
  }

  private finish(pending: Pending): void {
    this.compactQueue();
    this.metrics.tailTraces.set(this.traces.size);
    this.metrics.tailSpans.set(this.heldSpans);
    this.metrics.tailBytes.set(Math.round(this.heldBytes));
    for (const [key, n] of pending.decisions) {
      const [sampler, policy, decision] = key.split('|');
      this.metrics.decisions.inc({ sampler, policy, decision }, n);
    }
    for (const [key, n] of pending.kept) {
      const bar = key.indexOf('|');
      this.metrics.keptTraces.inc(
        { service: key.slice(0, bar), rule: key.slice(bar + 1) },
        n,
      );
    }
    for (const [reason, n] of pending.early)
      this.metrics.earlyDecisions.inc({ reason }, n);
    if (pending.lateSampled > 0) {
      this.metrics.lateSpans.inc({ decision: 'sampled' }, pending.lateSampled);
    }
    if (pending.lateNotSampled > 0) {
      this.metrics.lateSpans.inc(
        { decision: 'not_sampled' },
        pending.lateNotSampled,
      );
    }
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
    const decision = this.evaluate(view, now);
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

  private evaluate(view: TraceView, now: number): Decision {
    let first: { sampler: 'head' | 'tail'; policy: string } | undefined;
    for (const list of [this.evaluators, this.compiled]) {
      for (const evaluator of list) {
        const verdict = evaluator.evaluate(view, now);
        const policy = verdict.policy ?? evaluator.name;
        if (verdict.sampled) {
          const rate = keptRate(verdict);
          return {
            sampled: true,
            action: verdict.threshold === undefined ? LEAVE : verdict.threshold,
            sampler: evaluator.sampler,
            policy,
            rule: verdict.rule ?? tailPolicyRule(evaluator.name),
            rate,
            service: verdict.service,
          };
        }
        first ??= { sampler: evaluator.sampler, policy };
      }
    }
    return {
      sampled: false,
      action: null,
      sampler: first?.sampler ?? 'tail',
      policy: first?.policy ?? 'none',
    };
  }
}

/**
 * The probability a kept trace was kept at: the verdict's own, else its threshold's, else 1
 * (kept for another reason); undefined when none applies (`sdk`, rate limits).
 */
function keptRate(verdict: {
  rate?: number | null;
  threshold?: Threshold | null;
}): number | undefined {
  if (verdict.rate !== undefined) return verdict.rate ?? undefined;
  if (verdict.threshold) return verdict.threshold.probability;
  return verdict.threshold === null ? 1 : undefined;
}

/** Writes (or erases) `ot=th` on a kept span. */
function applyThreshold(span: Span, action: ThresholdAction): void {
  if (action === LEAVE) return;
  const current = span.traceState ?? '';
  if (action === null && current.indexOf('ot=') === -1) return;
  const next = withThreshold(current, action);
  if (next !== current) span.traceState = next;
}

/** The same for all kept spans of a trace, which usually share one tracestate. */
function applyThresholds(spans: Span[], action: ThresholdAction): void {
  if (action === LEAVE) return;
  let lastIn: string | undefined;
  let lastOut = '';
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    const current = span.traceState ?? '';
    if (current !== lastIn) {
      lastIn = current;
      lastOut =
        action === null && current.indexOf('ot=') === -1
          ? current
          : withThreshold(current, action);
    }
    if (lastOut !== current) span.traceState = lastOut;
  }
}

/** `createTailSampler(options)(outputs)`: the stage-factory form the pipeline composes. */
export function createTailSampler(
  options: TailSamplerOptions = {},
): (outputs: StageOutputs) => TailSampler {
  return outputs => new TailSampler(outputs, options);
}
