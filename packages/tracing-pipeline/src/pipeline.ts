import { Registry } from 'prom-client';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Accounting, HeldSpans } from './telemetry/accounting';
import { Batcher } from './processors/batcher';
import {
  parsePipelineConfig,
  PipelineConfig,
  PipelineConfigInput,
} from './config';
import {
  ExportOutcome,
  ExporterLogger,
  ExportStatus,
  OtlpHttpExporter,
  sumExportStatus,
} from './exporter/exporter';
import { FallbackFile } from './exporter/fallbackFile';
import {
  Admission,
  MemoryLimiter,
  MemoryUsage,
} from './receiver/memoryLimiter';
import { createPipelineMetrics, PipelineMetrics } from './telemetry/metrics';
import { HoldingStage, SpanBatch, StageOutputs } from './otlp/model';
import {
  DecodedExport,
  OtlpHttpReceiver,
  OtlpHttpRequest,
  OtlpHttpResponse,
} from './receiver/receiver';
import { combineAdmissions } from './routing/shardRouting';
import { Sanitizer } from './processors/sanitizer';
import { EncodedBatch, encodeBatch } from './otlp/spanBatch';

const gzipAsync = promisify(gzip);
// Level 1 compresses OTLP protobuf to within a few percent of the default level at a fraction of the CPU.
const GZIP_OPTIONS = { level: 1 };

export type PipelineLogger = ExporterLogger;

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

/** Splits decoded spans among shard owners (see routing/shardRouting). */
export interface ShardRouter {
  route(
    batch: SpanBatch,
    request?: OtlpHttpRequest,
  ): {
    /** The part this pipeline owns. */
    local: SpanBatch | undefined;
    /** Spans handed to other owners (they count them as received). */
    remoteSpans: number;
    /** Settles when every other owner has answered. */
    remote: Promise<Admission> | undefined;
  };
}

export type SpansListener = (batch: SpanBatch) => void;

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

type DeliveryResult = 'exported' | 'retained' | { dropped: string };

/** A batch on its way to every exporter; settled when each of them is done with it. */
class Delivery {
  private pending: number;
  private anyExported = false;
  private anyRetained = false;
  private firstDropReason?: string;

  constructor(
    readonly spans: number,
    /** Bytes reserved with the memory limiter; undefined for batches restored from disk. */
    readonly reservedBytes: number | undefined,
    exporters: number,
    private readonly finish: (d: Delivery, result: DeliveryResult) => void,
  ) {
    this.pending = exporters;
  }

  settle = (outcome: ExportOutcome): void => {
    if (outcome.kind === 'exported') this.anyExported = true;
    else if (outcome.kind === 'retained') this.anyRetained = true;
    else this.firstDropReason ??= outcome.reason;
    if (--this.pending > 0) return;
    let result: DeliveryResult;
    if (this.anyExported) result = 'exported';
    else if (this.anyRetained) result = 'retained';
    else result = { dropped: this.firstDropReason ?? 'unknown' };
    this.finish(this, result);
  };
}

export function createPipeline(options: CreatePipelineOptions): Pipeline {
  const config = parsePipelineConfig(options.config);
  const logger = options.logger ?? silentLogger;
  const limiter = new MemoryLimiter(config.memory);
  const listeners = new Set<SpansListener>();
  let deliveringSpans = 0;
  let retainedSpans = 0;
  let shuttingDown: Promise<void> | undefined;
  const encoding = new Set<Promise<void>>();

  let exporters: OtlpHttpExporter[] = [];
  const metrics: PipelineMetrics = createPipelineMetrics(options.registry, {
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

  const finishDelivery = (d: Delivery, result: DeliveryResult) => {
    deliveringSpans -= d.spans;
    if (d.reservedBytes !== undefined)
      limiter.release(d.spans, d.reservedBytes);
    if (result === 'exported') accounting.exported(d.spans);
    else if (result === 'retained') retainedSpans += d.spans;
    else accounting.dropped(d.spans, result.dropped);
  };

  const startDelivery = (
    spans: number,
    reservedBytes: number | undefined,
    exporterCount: number,
  ) => {
    const d = new Delivery(spans, reservedBytes, exporterCount, finishDelivery);
    deliveringSpans += spans;
    return d;
  };

  const dispatch = (batch: EncodedBatch) => {
    const delivery = startDelivery(
      batch.spanCount,
      batch.bytes,
      exporters.length,
    );
    const work = (async () => {
      let body: Buffer;
      try {
        const request =
          batch.chunks.length === 1
            ? batch.chunks[0].data
            : Buffer.concat(batch.chunks.map(c => c.data));
        body = await gzipAsync(request, GZIP_OPTIONS);
      } catch (e) {
        logger.error('could not compress a batch for export', {
          error: String(e),
        });
        for (let i = 0; i < exporters.length; i++)
          delivery.settle({ kind: 'dropped', reason: 'internal_error' });
        return;
      }
      for (const exporter of exporters)
        exporter.enqueue({
          body,
          spans: batch.spanCount,
          settle: delivery.settle,
        });
    })();
    encoding.add(work);
    void work.finally(() => encoding.delete(work));
  };

  const batcher = new Batcher(config.batch, dispatch);

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

  const outputs: StageOutputs = {
    forward: toBatcher,
    drop,
  };
  const sampler = options.sampler?.(outputs);

  function heldSpans(): HeldSpans {
    return {
      sampler: sampler?.held().spans ?? 0,
      batcher: batcher.held().spans,
      exporting: deliveringSpans + retainedSpans,
    };
  }

  const shuttingDownRefusal = (): Admission => ({
    admitted: false,
    status: 503,
    retryAfterSeconds: config.memory.retryAfterSeconds,
    reason: 'shutting_down',
    message: 'pipeline is shutting down',
  });

  const acceptHere = (
    decoded: DecodedExport,
    receivedSpans: number,
  ): Admission => {
    accounting.received(receivedSpans);
    accounting.refused(decoded.rejectedSpans, 'invalid');
    const { batch } = decoded;
    if (batch.spanCount === 0) return { admitted: true };
    if (shuttingDown) {
      accounting.refused(batch.spanCount, 'shutting_down');
      return shuttingDownRefusal();
    }
    // The bytes were reserved while the body streamed in; committing adds the spans.
    const admission = decoded.reservation
      ? decoded.reservation.commit(batch.spanCount, batch.bytes)
      : limiter.tryReserve(batch.spanCount, batch.bytes);
    if (!admission.admitted) {
      accounting.refused(batch.spanCount, 'memory_limit');
      return admission;
    }
    accounting.accepted(batch.spanCount);
    try {
      sanitizer.process(batch);
    } catch (e) {
      logger.error('sanitizer failed; batch dropped', { error: String(e) });
      drop(batch.spanCount, batch.bytes, 'internal_error');
      throw e;
    }
    for (const listener of listeners) {
      try {
        listener(batch);
      } catch (e) {
        logger.warn('span listener failed', { error: String(e) });
      }
    }
    if (sampler) sampler.consume(batch);
    else toBatcher(batch);
    return { admitted: true };
  };

  const accept = (
    decoded: DecodedExport,
    request: OtlpHttpRequest,
  ): Admission | Promise<Admission> => {
    if (!options.shards || decoded.batch.spanCount === 0)
      return acceptHere(decoded, decoded.receivedSpans);
    const { local, remote, remoteSpans } = options.shards.route(
      decoded.batch,
      request,
    );
    const here = acceptHere(
      {
        ...decoded,
        batch: local ?? { resourceSpans: [], spanCount: 0, bytes: 0 },
      },
      decoded.receivedSpans - remoteSpans,
    );
    return remote ? remote.then(r => combineAdmissions([here, r])) : here;
  };

  const receiver = new OtlpHttpReceiver({
    ...config.receiver,
    retryAfterSeconds: config.memory.retryAfterSeconds,
    precheck: () => (shuttingDown ? shuttingDownRefusal() : limiter.check()),
    reserve: () => limiter.reserve(),
    accept,
    onRefused: (reason, bytes) => {
      metrics.requestsRefused.inc({ reason });
      metrics.requestsRefusedBytes.inc({ reason }, bytes);
    },
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
    async start() {
      await Promise.all(
        exporters.map(e =>
          e.start(spans => {
            accounting.restored(spans);
            return startDelivery(spans, undefined, 1).settle;
          }),
        ),
      );
    },
    shutdown() {
      shuttingDown ??= (async () => {
        const deadline = Date.now() + config.shutdownTimeoutMs;
        const heldBefore = heldSpans();
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
        await Promise.all(encoding);
        await Promise.all(exporters.map(e => e.shutdown(deadline)));
        await fallback?.close();
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
      })();
      return shuttingDown;
    },
  };
}
