import { Registry } from 'prom-client';
import { PipelineConfig } from './config';
import { Deliveries } from './exporter/delivery';
import { ExporterLogger, OtlpHttpExporter } from './exporter/exporter';
import { FallbackFile } from './exporter/fallbackFile';
import { HoldingStage, SpanBatch, StageOutputs } from './otlp/model';
import { EncodedBatch, encodeBatch } from './otlp/spanBatch';
import { Batcher } from './processors/batcher';
import { Sanitizer } from './processors/sanitizer';
import { MemoryLimiter } from './receiver/memoryLimiter';
import { Accounting, HeldSpans } from './telemetry/accounting';
import { createPipelineMetrics, PipelineMetrics } from './telemetry/metrics';

export type PipelineLogger = ExporterLogger;

/** The stages of one pipeline and the bookkeeping they share. */
export interface PipelineStages {
  readonly config: PipelineConfig;
  readonly logger: PipelineLogger;
  readonly limiter: MemoryLimiter;
  readonly metrics: PipelineMetrics;
  readonly accounting: Accounting;
  readonly sanitizer: Sanitizer;
  readonly sampler: HoldingStage | undefined;
  readonly batcher: Batcher;
  readonly exporters: readonly OtlpHttpExporter[];
  readonly fallback: FallbackFile | undefined;
  readonly deliveries: Deliveries;
  /** Where sanitized spans go when there is no sampler (and where the sampler forwards). */
  toBatcher(batch: SpanBatch): void;
  /** Releases the spans' memory and counts them dropped. */
  drop(spans: number, bytes: number, reason: string): void;
  heldSpans(): HeldSpans;
}

/**
 * Builds memory limiter, metrics, exporters (with the fallback file), sanitizer, accounting,
 * batcher and sampler, and connects the sampler's outputs to the batcher.
 */
export function buildStages(
  config: PipelineConfig,
  registry: Registry,
  logger: PipelineLogger,
  samplerFactory: ((outputs: StageOutputs) => HoldingStage) | undefined,
): PipelineStages {
  const limiter = new MemoryLimiter(config.memory);
  let exporters: OtlpHttpExporter[] = [];
  const metrics: PipelineMetrics = createPipelineMetrics(registry, {
    memory: () => limiter.usage(),
    memoryLimits: () => ({
      softBytes: config.memory.softLimitBytes,
      hardBytes: config.memory.hardLimitBytes,
      softSpans: config.memory.softLimitSpans,
      hardSpans: config.memory.hardLimitSpans,
    }),
    queues: () =>
      exporters.map(e => ({
        exporter: e.name,
        size: e.size(),
        capacity: e.config.queueSize,
      })),
  });

  const fallback = config.fallback
    ? new FallbackFile(config.fallback.path, config.fallback.maxBytes)
    : undefined;
  exporters = config.exporters.map(
    c => new OtlpHttpExporter(c, { metrics, logger, fallback }),
  );

  const sanitizer = new Sanitizer({
    ...config.sanitizer,
    onRedaction: (action, location) =>
      metrics.redactions.inc({ action, location }),
  });

  // heldSpans (below) reads the sampler and batcher, which are built further down.
  const accounting = new Accounting(metrics, heldSpans);

  const drop = (spans: number, bytes: number, reason: string) => {
    limiter.release(spans, bytes);
    accounting.dropped(spans, reason);
  };

  const deliveries = new Deliveries(exporters, {
    accounting,
    logger,
    release: (spans, bytes) => limiter.release(spans, bytes),
  });
  const batcher = new Batcher(config.batch, batch =>
    deliveries.dispatch(batch),
  );

  /**
   * Spans leave the object world here: encoded (re-using received bytes), they wait in the batcher
   * and the exporter queues at a fraction of the memory, so the reservation shrinks to match.
   */
  const toBatcher = (batch: SpanBatch) => {
    if (batch.spanCount === 0) return;
    if (exporters.length === 0) {
      drop(batch.spanCount, batch.bytes, 'no_exporter');
      return;
    }
    let encoded: EncodedBatch;
    try {
      encoded = encodeBatch(batch, config.batch.sendBatchMaxSize);
    } catch (e) {
      logger.error('could not encode spans for export; dropped', {
        error: String(e),
      });
      drop(batch.spanCount, batch.bytes, 'internal_error');
      return;
    }
    if (encoded.bytes <= batch.bytes)
      limiter.release(0, batch.bytes - encoded.bytes);
    else limiter.grow(encoded.bytes - batch.bytes);
    batcher.consume(encoded);
  };

  const sampler = samplerFactory?.({ forward: toBatcher, drop });

  function heldSpans(): HeldSpans {
    return {
      sampler: sampler?.held().spans ?? 0,
      batcher: batcher.held().spans,
      exporting: deliveries.held(),
    };
  }

  return {
    config,
    logger,
    limiter,
    metrics,
    accounting,
    sanitizer,
    sampler,
    batcher,
    exporters,
    fallback,
    deliveries,
    toBatcher,
    drop,
    heldSpans,
  };
}

/** Loads persistent exporter queues left by a previous run; their spans count as restored. */
export async function restoreQueues(stages: PipelineStages): Promise<void> {
  const { exporters, accounting, deliveries } = stages;
  await Promise.all(
    exporters.map(e =>
      e.start(spans => {
        accounting.restored(spans);
        return deliveries.start(spans, undefined, 1).settle;
      }),
    ),
  );
}

/**
 * Flushes the sampler and the batcher, exports until `shutdownTimeoutMs`, closes the fallback
 * file and logs what the shutdown drained. The caller refuses new requests first.
 */
export async function drainStages(stages: PipelineStages): Promise<void> {
  const { config, logger, sampler, batcher, exporters, accounting } = stages;
  const deadline = Date.now() + config.shutdownTimeoutMs;
  const heldBefore = stages.heldSpans();
  if (sampler) {
    try {
      await sampler.flush();
      await sampler.shutdown();
    } catch (e) {
      logger.error('sampler failed to flush on shutdown', {
        error: String(e),
      });
    }
  }
  batcher.shutdown();
  await stages.deliveries.encoded();
  await Promise.all(exporters.map(e => e.shutdown(deadline)));
  await stages.fallback?.close();
  const retainedSpans = stages.deliveries.retained();
  if (retainedSpans > 0) {
    logger.info(
      `pipeline stopped with ${retainedSpans} spans kept in persistent queues`,
    );
  }
  const after = accounting.snapshot();
  // Says what the shutdown drained, so an operator can tell it ran to the end.
  logger.info(
    `pipeline drained: ${heldBefore.sampler} spans held by the sampler, ${heldBefore.batcher} in the batcher and ${heldBefore.exporting} exporting at shutdown; ${after.inFlight} left in flight`,
    {
      exported: after.exported,
      dropped: after.dropped,
      droppedByReason: after.droppedByReason,
    },
  );
}
