import { PipelineMetrics } from './metrics';

/** Where accepted spans are right now, measured by the stages themselves. */
export interface HeldSpans {
  /** In the sampler (tail-sampling wait). */
  sampler: number;
  /** Waiting for a batch to fill. */
  batcher: number;
  /** Encoding, queued, being sent, or persisted for after a restart. */
  exporting: number;
}

export interface AccountingSnapshot {
  received: number;
  accepted: number;
  refused: number;
  refusedByReason: Record<string, number>;
  dropped: number;
  droppedByReason: Record<string, number>;
  /** Spans delivered by at least one exporter (or the fallback file). */
  exported: number;
  /** Spans loaded from a persistent queue on start. */
  restored: number;
  inFlight: number;
  held: HeldSpans;
  /** received + restored = refused + dropped + exported + inFlight */
  balanced: boolean;
}

function add(record: Record<string, number>, key: string, n: number) {
  record[key] = (record[key] ?? 0) + n;
}

/**
 * Follows every span from receipt to its end: refused, dropped (with reason) or exported, or still
 * held somewhere. Updates the Prometheus counters and keeps plain totals for the health check.
 */
export class Accounting {
  private receivedTotal = 0;
  private acceptedTotal = 0;
  private exportedTotal = 0;
  private restoredTotal = 0;
  private readonly refusedBy: Record<string, number> = {};
  private readonly droppedBy: Record<string, number> = {};

  constructor(
    private readonly metrics: PipelineMetrics,
    private readonly heldSpans: () => HeldSpans,
  ) {}

  received(spans: number): void {
    this.receivedTotal += spans;
    this.metrics.spansReceived.inc(spans);
  }

  refused(spans: number, reason: string): void {
    if (spans <= 0) return;
    add(this.refusedBy, reason, spans);
    this.metrics.spansRefused.inc({ reason }, spans);
  }

  accepted(spans: number): void {
    this.acceptedTotal += spans;
    this.metrics.spansAccepted.inc(spans);
  }

  dropped(spans: number, reason: string): void {
    if (spans <= 0) return;
    add(this.droppedBy, reason, spans);
    this.metrics.spansDropped.inc({ reason }, spans);
  }

  /** Pipeline-level: the spans reached at least one destination. Per-exporter counts are the exporters' own. */
  exported(spans: number): void {
    this.exportedTotal += spans;
  }

  restored(spans: number): void {
    this.restoredTotal += spans;
  }

  snapshot(): AccountingSnapshot {
    const held = this.heldSpans();
    const sum = (r: Record<string, number>) =>
      Object.values(r).reduce((a, b) => a + b, 0);
    const refused = sum(this.refusedBy);
    const dropped = sum(this.droppedBy);
    const inFlight = held.sampler + held.batcher + held.exporting;
    return {
      received: this.receivedTotal,
      accepted: this.acceptedTotal,
      refused,
      refusedByReason: { ...this.refusedBy },
      dropped,
      droppedByReason: { ...this.droppedBy },
      exported: this.exportedTotal,
      restored: this.restoredTotal,
      inFlight,
      held,
      balanced:
        this.receivedTotal + this.restoredTotal ===
        refused + dropped + this.exportedTotal + inFlight,
    };
  }
}
