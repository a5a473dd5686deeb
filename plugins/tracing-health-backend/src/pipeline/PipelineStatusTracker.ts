import {
  PipelineStatus,
  PipelineStatusProvider,
} from '@internal/plugin-tracing-health-node';
import { PipelineHandle } from './startPipeline';

const WINDOW_MS = 5 * 60_000;

/**
 * Drops that are decisions, not losses: traces a sampling policy chose not to keep, and spans
 * of a pipeline configured without exporters (the embedded default's metrics-only mode).
 */
const INTENDED_DROP_REASONS = new Set(['sampling', 'no_exporter']);

function lostSpans(droppedByReason: Record<string, number>): number {
  return Object.entries(droppedByReason)
    .filter(([reason]) => !INTENDED_DROP_REASONS.has(reason))
    .reduce((total, [, spans]) => total + spans, 0);
}

/**
 * Answers the `pipeline` health check synchronously from figures sampled every few seconds:
 * memory against the hard limit, exporter queues against their capacity, and export failures
 * in the last five minutes, all from the pipeline's own status (its interface, in either mode).
 */
export class PipelineStatusTracker implements PipelineStatusProvider {
  private failureSamples: Array<{ at: number; total: number }> = [];
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly pipeline: Pick<
      PipelineHandle,
      'config' | 'memoryUsage' | 'exportStatus' | 'accounting'
    >,
    private readonly clock: () => number = Date.now,
  ) {}

  start(intervalMs = 10_000) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref?.();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
  }

  /** Records the running total of failed exports, to answer for the last five minutes. */
  sample(): void {
    const now = this.clock();
    const total = this.pipeline.exportStatus().failedSpans;
    this.failureSamples.push({ at: now, total });
    this.failureSamples = this.failureSamples.filter(
      s => s.at >= now - WINDOW_MS,
    );
  }

  status(): PipelineStatus {
    const usage = this.pipeline.memoryUsage();
    const snapshot = this.pipeline.accounting.snapshot();
    const exports = this.pipeline.exportStatus();
    const oldest = this.failureSamples[0];
    const newest = this.failureSamples[this.failureSamples.length - 1];
    return {
      memoryUsedBytes: usage.bytes,
      memoryLimitBytes: this.pipeline.config.memory.hardLimitBytes,
      queueSize: exports.queueSize,
      queueCapacity: exports.queueCapacity,
      exportFailuresRecent: oldest && newest ? newest.total - oldest.total : 0,
      spansReceived: snapshot.received,
      spansDropped: lostSpans(snapshot.droppedByReason),
    };
  }
}
