import { ExportStatus, sumExportStatus } from '../exporter/exporter';
import type { MemoryUsage } from '../receiver/memoryLimiter';
import {
  DEFAULT_DURATION_BUCKETS_SECONDS,
  SpanMetricsSnapshot,
} from '../spanMetrics';
import { mergeServiceGraphs, ServiceGraphSnapshot } from '../serviceGraph';
import type { AccountingSnapshot } from '../telemetry/accounting';
import {
  emptyAccounting,
  mergeSpanMetrics,
  sumAccounting,
} from './mergeAggregates';
import type { WorkerAggregates } from './protocol';
import type { Slot } from './workerSlots';

/**
 * The pool's figures, read the way the in-process pipeline's are: the live workers' last reports
 * merged, with what replaced or stopped workers left (their totals never go back).
 */
export class MergedFigures {
  private retired = emptyAccounting();
  /** Spans replaced or stopped workers failed to export, so the running total never goes back. */
  private retiredFailedSpans = 0;
  private readonly retiredSpanMetrics: SpanMetricsSnapshot[] = [];
  private retiredServiceGraphs: ServiceGraphSnapshot[] = [];

  constructor(
    private readonly slots: readonly (Slot | undefined)[],
    /** Whether an exporter keeps a queue on disk (what a worker was exporting survives it). */
    private readonly persistentQueues: boolean,
  ) {}

  /** The live workers' last reports. */
  live(): WorkerAggregates[] {
    return this.slots.flatMap(s => (s?.last && !s.dead ? [s.last] : []));
  }

  /** The sum of the workers' accounting, with what died with replaced workers. */
  accounting(): AccountingSnapshot {
    return sumAccounting([this.retired, ...this.live().map(a => a.accounting)]);
  }

  memoryUsage(): MemoryUsage {
    const usage = { spans: 0, bytes: 0 };
    for (const a of this.live()) {
      usage.spans += a.memory.spans;
      usage.bytes += a.memory.bytes;
    }
    return usage;
  }

  /** The workers' exporter queues and failed spans (as of their last report). */
  exportStatus(): ExportStatus {
    const status = sumExportStatus(this.live().map(a => a.exports));
    status.failedSpans += this.retiredFailedSpans;
    return status;
  }

  /** The adaptive samplers' current rates (the workers' average per service). */
  currentRates(): Record<string, number> {
    const sums: Record<string, { total: number; n: number }> = {};
    for (const a of this.live())
      for (const [service, rate] of Object.entries(a.rates)) {
        const s = (sums[service] ??= { total: 0, n: 0 });
        s.total += rate;
        s.n++;
      }
    return Object.fromEntries(
      Object.entries(sums).map(([k, s]) => [k, s.total / s.n]),
    );
  }

  /** The workers' span metrics merged (as of their last report): SpanMetrics' read side. */
  spanMetrics() {
    const merged = () =>
      mergeSpanMetrics(
        [
          ...this.retiredSpanMetrics,
          ...this.live().flatMap(a => (a.spanMetrics ? [a.spanMetrics] : [])),
        ],
        this.live().find(a => a.spanMetrics)?.spanMetrics
          ?.durationBoundsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS,
        Date.now(),
      );
    return {
      snapshot: merged,
      lastSeen: (service: string) =>
        merged().services.find(s => s.service === service)?.lastSeenMs ||
        undefined,
      lastSeenByService: () =>
        new Map(merged().services.map(s => [s.service, s.lastSeenMs])),
    };
  }

  /** The workers' service graphs merged (as of their last report): ServiceGraph's read side. */
  serviceGraph() {
    return {
      snapshot: () =>
        mergeServiceGraphs(
          [
            ...this.retiredServiceGraphs,
            ...this.live().flatMap(a =>
              a.serviceGraph ? [a.serviceGraph] : [],
            ),
          ],
          this.live().find(a => a.serviceGraph)?.serviceGraph
            ?.durationBoundsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS,
          Date.now(),
        ),
    };
  }

  /** A worker stopped on purpose: its figures stay in the totals as they were. */
  retireStopped(last: WorkerAggregates | undefined) {
    if (last) this.retired = sumAccounting([this.retired, last.accounting]);
    this.retireRest(last);
  }

  /**
   * A worker died: what it had accepted and not yet exported or written to a persistent queue is
   * lost (dropped, `worker_exit`); the rest of its figures stay in the totals. Returns the spans lost.
   */
  retireDead(last: WorkerAggregates | undefined): number {
    const accounting = last?.accounting;
    const lost = accounting
      ? accounting.held.sampler +
        accounting.held.batcher +
        (this.persistentQueues ? 0 : accounting.held.exporting)
      : 0;
    if (accounting) {
      const retired = {
        ...accounting,
        inFlight: 0,
        held: { sampler: 0, batcher: 0, exporting: 0 },
      };
      retired.dropped += lost;
      retired.droppedByReason = { ...accounting.droppedByReason };
      if (lost)
        retired.droppedByReason.worker_exit =
          (retired.droppedByReason.worker_exit ?? 0) + lost;
      this.retired = sumAccounting([this.retired, retired]);
    }
    this.retireRest(last);
    return lost;
  }

  private retireRest(last: WorkerAggregates | undefined) {
    this.retiredFailedSpans += last?.exports.failedSpans ?? 0;
    if (last?.spanMetrics) this.retiredSpanMetrics.push(last.spanMetrics);
    this.retireServiceGraph(last?.serviceGraph);
  }

  /** Keeps a dead worker's edges in the totals, folded into one snapshot so restarts stay bounded. */
  private retireServiceGraph(last: ServiceGraphSnapshot | undefined) {
    if (!last) return;
    const merged = mergeServiceGraphs(
      [...this.retiredServiceGraphs, { ...last, pending: 0 }],
      last.durationBoundsSeconds,
      Date.now(),
    );
    this.retiredServiceGraphs = [merged];
  }
}
