import {
  PipelineStatus,
  PipelineStatusProvider,
} from '@internal/plugin-tracing-health-node';
import { PIPELINE_METRICS } from '@internal/plugin-tracing-health-common';
import { PipelineHandle } from './startPipeline';
import { Registry } from 'prom-client';

const WINDOW_MS = 5 * 60_000;

async function sumOf(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.reduce((total, v) => total + v.value, 0);
}

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
 * in the last five minutes (from the pipeline's own counters).
 */
export class PipelineStatusTracker implements PipelineStatusProvider {
  private failureSamples: Array<{ at: number; total: number }> = [];
  private queueSize = 0;
  private queueCapacity = 0;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly pipeline: PipelineHandle,
    private readonly registry: Registry,
    private readonly clock: () => number = Date.now,
  ) {}

  start(intervalMs = 10_000) {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref?.();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    const now = this.clock();
    const total = await sumOf(this.registry, PIPELINE_METRICS.exportFailed);
    this.failureSamples.push({ at: now, total });
    this.failureSamples = this.failureSamples.filter(
      s => s.at >= now - WINDOW_MS,
    );
    this.queueSize = await sumOf(this.registry, PIPELINE_METRICS.queueSize);
    this.queueCapacity = await sumOf(
      this.registry,
      PIPELINE_METRICS.queueCapacity,
    );
  }

  status(): PipelineStatus {
    const usage = this.pipeline.memoryUsage();
    const snapshot = this.pipeline.accounting.snapshot();
    const oldest = this.failureSamples[0];
    const newest = this.failureSamples[this.failureSamples.length - 1];
    return {
      memoryUsedBytes: usage.bytes,
      memoryLimitBytes: this.pipeline.config.memory.hardLimitBytes,
      queueSize: this.queueSize,
      queueCapacity: this.queueCapacity,
      exportFailuresRecent: oldest && newest ? newest.total - oldest.total : 0,
      spansReceived: snapshot.received,
      spansDropped: lostSpans(snapshot.droppedByReason),
    };
  }
}
