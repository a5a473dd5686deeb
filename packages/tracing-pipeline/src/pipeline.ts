import { Registry } from 'prom-client';
import {
  parsePipelineConfig,
  PipelineConfig,
  PipelineConfigInput,
} from './config';
import { ExportStatus, sumExportStatus } from './exporter/exporter';
import { HoldingStage, StageOutputs } from './otlp/model';
import {
  buildStages,
  drainStages,
  PipelineLogger,
  restoreQueues,
} from './pipelineStages';
import { MemoryUsage } from './receiver/memoryLimiter';
import { OtlpHttpRequest, OtlpHttpResponse } from './receiver/receiver';
import { createRequestPath, ShardRouter, SpansListener } from './requestPath';
import { Accounting } from './telemetry/accounting';

export type { PipelineLogger } from './pipelineStages';
export type { ShardRouter, SpansListener } from './requestPath';

export interface CreatePipelineOptions {
  /** `tracingHealth.pipeline` as read from config; validated and defaulted here. */
  config: PipelineConfigInput;
  /** Where the pipeline registers its metrics (never the global registry). */
  registry: Registry;
  logger?: PipelineLogger;
  /** Builds the sampling stage placed between the sanitizer and the batcher. */
  sampler?: (outputs: StageOutputs) => HoldingStage;
  /**
   * Shard routing (worker mode): each decoded, validated request is split by trace id; the part
   * owned here goes on through this pipeline, the rest goes to its owners, and the request is
   * answered once they have taken or refused it.
   */
  shards?: ShardRouter;
}

export interface Pipeline {
  readonly config: PipelineConfig;
  /** Handles one OTLP/HTTP export request; never rejects. */
  handle(request: OtlpHttpRequest): Promise<OtlpHttpResponse>;
  readonly accounting: Accounting;
  /** Spans and bytes currently reserved with the memory limiter. */
  memoryUsage(): MemoryUsage;
  /** The exporter queues' fill and the spans they failed to deliver, summed over exporters. */
  exportStatus(): ExportStatus;
  /**
   * Calls `listener` with every accepted, sanitized batch before sampling. Listeners must not
   * modify the batch. Returns a function that unsubscribes.
   */
  onSpans(listener: SpansListener): () => void;
  /** Loads persistent exporter queues left by a previous run. */
  start(): Promise<void>;
  /** Refuses new data, flushes sampler and batcher, and exports until `shutdownTimeoutMs`. */
  shutdown(): Promise<void>;
}

const silentLogger: PipelineLogger = { info() {}, warn() {}, error() {} };

/**
 * Builds the stages (see pipelineStages), the request path in front of them (see requestPath), and
 * the pipeline's interface: status, listeners, start and shutdown.
 */
export function createPipeline(options: CreatePipelineOptions): Pipeline {
  const config = parsePipelineConfig(options.config);
  const stages = buildStages(
    config,
    options.registry,
    options.logger ?? silentLogger,
    options.sampler,
  );
  const { accounting, limiter, metrics, exporters } = stages;
  const listeners = new Set<SpansListener>();
  let shuttingDown: Promise<void> | undefined;
  const receiver = createRequestPath(stages, {
    shards: options.shards,
    listeners,
    shuttingDown: () => shuttingDown !== undefined,
  });

  return {
    config,
    accounting,
    memoryUsage: () => limiter.usage(),
    exportStatus: () =>
      sumExportStatus(
        exporters.map(e => ({
          queueSize: e.size(),
          queueCapacity: e.config.queueSize,
          failedSpans: e.failedSpans(),
        })),
      ),
    async handle(request) {
      const response = await receiver.handle(request);
      metrics.requests.inc({ status: String(response.status) });
      return response;
    },
    onSpans(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: () => restoreQueues(stages),
    shutdown() {
      shuttingDown ??= drainStages(stages);
      return shuttingDown;
    },
  };
}
