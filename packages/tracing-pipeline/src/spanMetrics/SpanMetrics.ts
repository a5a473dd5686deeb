import { Registry } from 'prom-client';
import {
  serviceNameOf,
  SPAN_KIND,
  SpanBatch,
  STATUS_CODE,
} from '../otlp/model';
import { CompletenessTracker, TraceJudgement } from './CompletenessTracker';
import { bucketIndex } from './histogramQuantile';
import { idKey } from './idKey';
import { ServiceState } from './serviceState';
import { registerSpanMetrics } from './spanMetricsScrape';
import { spanDurationSeconds } from './spanDuration';
import {
  MAX_SERVICE_NAME_LENGTH,
  OVERFLOW_SERVICE,
  spanKindIndex,
  STATUS_CODE_LABELS,
  statusCodeIndex,
  UNKNOWN_SERVICE,
} from './labels';

/** Span duration buckets in seconds: 1 ms to 30 s, dense where request latencies live. */
export const DEFAULT_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1,
  1.5, 2.5, 5, 10, 30,
];

export interface SpanMetricsClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface SpanMetricsOptions {
  /** The registry the metrics are registered on (the plugin's, never the global one). */
  registry: Registry;
  clock?: SpanMetricsClock;
  /** How long a trace's spans may take to arrive before missing parents make orphans. Default 30 s. */
  completenessWindowMs?: number;
  /** Traces tracked for completeness at once. Default 50,000. */
  maxTraces?: number;
  /** Distinct `service.name` values with their own series; later ones count as `__other__`. Default 1,000. */
  maxServices?: number;
  durationBucketsSeconds?: readonly number[];
}

/** Cumulative counters of one service since the process started. */
export interface ServiceSpanCounters {
  service: string;
  spans: number;
  errorSpans: number;
  /** Root spans: traces the service started. */
  rootSpans: number;
  /**
   * Entry spans (kind SERVER or CONSUMER): requests and messages the service received. What
   * owners mean by traffic; a service only others call starts no traces but receives these.
   */
  entrySpans: number;
  orphanSpans: number;
  /** Traces the service took part in, judged complete / incomplete at the end of their window. */
  completeTraces: number;
  incompleteTraces: number;
  /** Spans per span kind, indexed like SPAN_KIND_LABELS. */
  spansByKind: number[];
  durationSumSeconds: number;
  /** Spans per duration bucket (not cumulative); the last entry is `+Inf`. */
  durationCounts: number[];
  /** When the pipeline last received a span of the service (ms since the epoch). */
  lastSeenMs: number;
}

export interface SpanMetricsSnapshot {
  takenAtMs: number;
  durationBoundsSeconds: readonly number[];
  services: ServiceSpanCounters[];
  /** Every trace counted once, whatever the number of services in it. */
  traces: {
    complete: number;
    incomplete: number;
    tracked: number;
    untracked: number;
  };
}

/** Spans of kind SERVER or CONSUMER among spans counted per kind (indexed like SPAN_KIND_LABELS). */
export function entrySpansOf(spansByKind: readonly number[]): number {
  return (
    (spansByKind[SPAN_KIND.SERVER] ?? 0) +
    (spansByKind[SPAN_KIND.CONSUMER] ?? 0)
  );
}

function isRoot(parentSpanId: Uint8Array | null | undefined): boolean {
  if (!parentSpanId || parentSpanId.length === 0) return true;
  for (let i = 0; i < parentSpanId.length; i++)
    if (parentSpanId[i] !== 0) return false;
  return true;
}

/**
 * Span-derived RED and completeness figures per `service.name`, like the Collector's spanmetrics
 * connector. The pipeline feeds it accepted, sanitized spans before sampling, so the figures
 * describe real traffic. Counters and duration buckets are kept in plain arrays on the hot path
 * and turned into Prometheus series on scrape (a prom-client Histogram's `observe` cost more
 * than everything else here together).
 */
export class SpanMetrics {
  private readonly clock: SpanMetricsClock;
  private readonly maxServices: number;
  private readonly bounds: readonly number[];
  private readonly services = new Map<string, ServiceState>();
  private readonly tracker: CompletenessTracker<ServiceState>;
  private readonly traceTotals = { complete: 0, incomplete: 0 };

  constructor(options: SpanMetricsOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.maxServices = options.maxServices ?? 1_000;
    this.bounds =
      options.durationBucketsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS;
    if (!(this.maxServices >= 1))
      throw new RangeError('maxServices must be at least 1');
    this.bounds.forEach((b, i) => {
      if (!(b > 0) || (i > 0 && b <= this.bounds[i - 1])) {
        throw new RangeError(
          'duration buckets must be positive and strictly increasing',
        );
      }
    });
    this.tracker = new CompletenessTracker<ServiceState>({
      windowMs: options.completenessWindowMs ?? 30_000,
      maxTraces: options.maxTraces ?? 50_000,
      onJudged: judgement => this.onJudged(judgement),
    });
    registerSpanMetrics(options.registry, {
      services: () => this.services.values(),
      sweep: () => this.tracker.sweep(this.clock.now()),
      bounds: this.bounds,
    });
  }

  /** Counts a batch of accepted spans. Never throws on odd span data. */
  record(batch: SpanBatch): void {
    const now = this.clock.now();
    this.tracker.sweep(now);
    for (const resourceSpans of batch.resourceSpans) {
      const service = this.serviceFor(
        serviceNameOf(resourceSpans.resource) ?? UNKNOWN_SERVICE,
      );
      service.lastSeenMs = now;
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          const kind = spanKindIndex(span.kind);
          const status = statusCodeIndex(span.status?.code);
          service.spans++;
          service.spansByKind[kind]++;
          service.spansByKindAndStatus[
            kind * STATUS_CODE_LABELS.length + status
          ]++;
          if (status === STATUS_CODE.ERROR) service.errorSpans++;

          const root = isRoot(span.parentSpanId);
          if (root) service.rootSpans++;

          const seconds = spanDurationSeconds(
            span.startTimeUnixNano,
            span.endTimeUnixNano,
          );
          service.durationCountsByKind[
            kind * service.bucketsPerKind + bucketIndex(this.bounds, seconds)
          ]++;
          service.durationSumByKind[kind] += seconds;

          if (span.traceId?.length && span.spanId?.length) {
            this.tracker.add(
              idKey(span.traceId),
              idKey(span.spanId),
              root ? '' : idKey(span.parentSpanId!),
              service,
              now,
            );
          }
        }
      }
    }
  }

  /** Cumulative counters per service, after judging the traces whose window has ended. */
  snapshot(): SpanMetricsSnapshot {
    const now = this.clock.now();
    this.tracker.sweep(now);
    const stats = this.tracker.stats();
    return {
      takenAtMs: now,
      durationBoundsSeconds: this.bounds,
      services: [...this.services.values()].map(s => ({
        service: s.service,
        spans: s.spans,
        errorSpans: s.errorSpans,
        rootSpans: s.rootSpans,
        entrySpans: entrySpansOf(s.spansByKind),
        orphanSpans: s.orphanSpans,
        completeTraces: s.completeTraces,
        incompleteTraces: s.incompleteTraces,
        spansByKind: [...s.spansByKind],
        durationSumSeconds: s.durationSumByKind.reduce((a, b) => a + b, 0),
        durationCounts: s.durationCounts(),
        lastSeenMs: s.lastSeenMs,
      })),
      traces: {
        ...this.traceTotals,
        tracked: stats.tracked,
        untracked: stats.untracked,
      },
    };
  }

  /** When a span of the service was last received, if ever (ms since the epoch). */
  lastSeen(serviceName: string): number | undefined {
    return this.services.get(serviceName)?.lastSeenMs || undefined;
  }

  /** When each service was last seen (ms since the epoch), cheaper than a snapshot. */
  lastSeenByService(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.services.values()) out.set(s.service, s.lastSeenMs);
    return out;
  }

  private serviceFor(name: string): ServiceState {
    let state = this.services.get(name);
    if (state) return state;
    const key =
      this.services.size < this.maxServices &&
      name.length <= MAX_SERVICE_NAME_LENGTH
        ? name
        : OVERFLOW_SERVICE;
    state = this.services.get(key);
    if (!state) {
      state = new ServiceState(key, this.bounds.length + 1);
      // The overflow bucket is one more series on top of the cap.
      this.services.set(key, state);
    }
    return state;
  }

  private onJudged(judgement: TraceJudgement<ServiceState>): void {
    if (judgement.complete) this.traceTotals.complete++;
    else this.traceTotals.incomplete++;
    for (const service of judgement.services) {
      if (judgement.complete) service.completeTraces++;
      else service.incompleteTraces++;
    }
    for (const [service, orphans] of judgement.orphans)
      service.orphanSpans += orphans;
  }
}
