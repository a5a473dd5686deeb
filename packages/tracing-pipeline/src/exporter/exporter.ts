import { ExporterConfig } from '../config';
import { FallbackFile, FallbackFullError } from './fallbackFile';
import { PipelineMetrics } from '../telemetry/metrics';
import { PersistentQueue } from './persistentQueue';
import { ExportQueue } from './exportQueue';
import { OtlpHttpSender } from './httpSender';
import { RetryPolicy } from './retryPolicy';

export type DropReason =
  | 'queue_full'
  | 'permanent_error'
  | 'retries_exhausted'
  | 'shutdown'
  | 'internal_error'
  /** Given up, and the fallback file (and its `.1`) had no room for it. */
  | 'fallback_full';

export type ExportOutcome =
  | { kind: 'exported'; exporter: string }
  | { kind: 'dropped'; reason: DropReason }
  /** Still on disk after shutdown; a later run will send it. */
  | { kind: 'retained' };

export interface ExportItem {
  /** The gzipped protobuf `ExportTraceServiceRequest`. */
  body: Buffer;
  spans: number;
  /** Called exactly once. */
  settle(outcome: ExportOutcome): void;
}

export interface ExporterLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface ExporterDeps {
  metrics: PipelineMetrics;
  logger: ExporterLogger;
  fallback?: FallbackFile;
  random?: () => number;
}

interface Entry {
  body?: Buffer;
  spans: number;
  settle(outcome: ExportOutcome): void;
  file?: string;
  persisted?: Promise<void>;
}

/** The exporters' queues and failures together: what the pipeline health check reads. */
export interface ExportStatus {
  /** Batches waiting in or being sent from the exporter queues. */
  queueSize: number;
  /** The queues' capacity in batches. */
  queueCapacity: number;
  /** Spans the exporters failed to deliver since start (a running total). */
  failedSpans: number;
}

/** The sum of several exporters' (or workers') export status. */
export function sumExportStatus(all: readonly ExportStatus[]): ExportStatus {
  const total: ExportStatus = {
    queueSize: 0,
    queueCapacity: 0,
    failedSpans: 0,
  };
  for (const s of all) {
    total.queueSize += s.queueSize;
    total.queueCapacity += s.queueCapacity;
    total.failedSpans += s.failedSpans;
  }
  return total;
}

/**
 * OTLP/HTTP protobuf exporter with the Collector exporterhelper's behaviour: a bounded queue with
 * parallel senders (ExportQueue), retries of 429/502/503/504 and network errors with jittered
 * exponential backoff honouring Retry-After and a retry budget (`maxElapsedMs`, RetryPolicy), a
 * per-attempt timeout (OtlpHttpSender), permanent failures dropped. This class adds what decides a
 * batch's fate: the optional persistent queue, and the optional fallback file for what it would
 * otherwise drop.
 */
export class OtlpHttpExporter {
  private stopping = false;
  private stopped = false;
  private readonly queue: ExportQueue<Entry>;
  private readonly sender: OtlpHttpSender;
  private readonly retry: RetryPolicy;
  private readonly persistent?: PersistentQueue;
  private failedSpansTotal = 0;

  constructor(
    readonly config: ExporterConfig,
    private readonly deps: ExporterDeps,
  ) {
    this.persistent = config.persistentQueueDir
      ? new PersistentQueue(config.persistentQueueDir)
      : undefined;
    this.queue = new ExportQueue(config.concurrency, entry =>
      this.process(entry),
    );
    this.sender = new OtlpHttpSender(config, deps.metrics);
    this.retry = new RetryPolicy(
      config.name,
      config.retry,
      deps.logger,
      deps.random ?? Math.random,
    );
  }

  get name(): string {
    return this.config.name;
  }

  /** Batches waiting or being sent. */
  size(): number {
    return this.queue.size();
  }

  /** Spans this exporter failed to deliver (rejected by the backend or given up on), since start. */
  failedSpans(): number {
    return this.failedSpansTotal;
  }

  private countFailed(reason: string, spans: number): void {
    this.failedSpansTotal += spans;
    this.deps.metrics.exportFailed.inc({ exporter: this.name, reason }, spans);
  }

  /** Loads what a previous run persisted; `restore` registers each batch and returns its settle. */
  async start(
    restore: (spans: number) => (outcome: ExportOutcome) => void,
  ): Promise<void> {
    if (!this.persistent) return;
    const batches = await this.persistent.open();
    const entries: Entry[] = batches.map(({ file, spans }) => ({
      spans,
      file,
      settle: restore(spans),
    }));
    if (batches.length) {
      this.deps.logger.info(
        `exporter ${this.name}: resuming ${batches.length} persisted batches`,
      );
    }
    this.queue.pushAll(entries);
  }

  enqueue(item: ExportItem): void {
    if (this.stopping) {
      void this.giveUp({ ...item }, 'shutdown');
      return;
    }
    if (this.size() >= this.config.queueSize) {
      void this.giveUp({ ...item }, 'queue_full');
      return;
    }
    const entry: Entry = {
      body: item.body,
      spans: item.spans,
      settle: item.settle,
    };
    if (this.persistent) {
      entry.persisted = this.persistent.write(item.body, item.spans).then(
        file => {
          entry.file = file;
        },
        e =>
          this.deps.logger.error(
            `exporter ${this.name}: could not persist a batch, keeping it in memory only`,
            { error: String(e) },
          ),
      );
    }
    this.queue.push(entry);
  }

  /** Sends what is queued until the deadline, then stops; persisted batches stay on disk. */
  async shutdown(deadline: number): Promise<void> {
    this.stopping = true;
    const timer = setTimeout(
      () => this.stopNow(),
      Math.max(0, deadline - Date.now()),
    );
    try {
      await this.queue.idle();
    } finally {
      clearTimeout(timer);
    }
    this.stopNow();
    await this.queue.idle();
  }

  private stopNow(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.sender.stop();
    this.retry.stop();
    this.queue.stop(entry => this.finishStopped(entry));
  }

  private async process(entry: Entry): Promise<void> {
    try {
      await entry.persisted;
      let body = entry.body;
      if (!body && entry.file) {
        try {
          body = await this.persistent!.read(entry.file);
        } catch (e) {
          this.deps.logger.error(
            `exporter ${this.name}: unreadable persisted batch dropped`,
            { error: String(e) },
          );
          await this.giveUp(entry, 'permanent_error');
          return;
        }
      }
      const result = await this.retry.run(() => this.sender.send(body!));
      if (typeof result === 'object') {
        // The backend took the request; any spans it rejected are its decision, not retried.
        const rejected = Math.min(result.rejected, entry.spans);
        this.deps.metrics.spansExported.inc(
          { exporter: this.name },
          entry.spans - rejected,
        );
        if (rejected > 0) {
          this.countFailed('rejected', rejected);
          this.deps.logger.warn(
            `exporter ${this.name}: the backend rejected ${rejected} of ${entry.spans} spans: ${result.message}`,
          );
        }
        await this.forget(entry);
        entry.settle({ kind: 'exported', exporter: this.name });
      } else if (result === 'stopped') {
        await this.finishStopped(entry);
      } else {
        await this.giveUp({ ...entry, body }, result);
      }
    } catch (e) {
      this.deps.logger.error(`exporter ${this.name}: unexpected failure`, {
        error: String(e),
      });
      await this.giveUp(entry, 'permanent_error');
    }
  }

  private async finishStopped(entry: Entry): Promise<void> {
    await entry.persisted;
    if (entry.file) entry.settle({ kind: 'retained' });
    else await this.giveUp(entry, 'shutdown');
  }

  private async forget(entry: Entry): Promise<void> {
    if (!entry.file) return;
    try {
      await this.persistent!.remove(entry.file);
    } catch (e) {
      this.deps.logger.warn(
        `exporter ${this.name}: could not remove a sent batch file`,
        { error: String(e) },
      );
    }
  }

  /**
   * The primary failed for good: the fallback file gets it unless the data itself was refused.
   * The batch leaves the persistent queue only once its fallback line is on disk: when that
   * write fails, it stays queued for the next start (at least once across restarts).
   */
  private async giveUp(entry: Entry, reason: DropReason): Promise<void> {
    this.countFailed(reason, entry.spans);
    const { fallback } = this.deps;
    let dropReason = reason;
    if (fallback && reason !== 'permanent_error') {
      try {
        const body =
          entry.body ??
          (entry.file ? await this.persistent!.read(entry.file) : undefined);
        if (body) {
          await fallback.write(body);
          await this.forget(entry);
          this.deps.metrics.spansExported.inc(
            { exporter: 'fallback' },
            entry.spans,
          );
          entry.settle({ kind: 'exported', exporter: 'fallback' });
          return;
        }
      } catch (e) {
        const full = e instanceof FallbackFullError;
        if (full) dropReason = 'fallback_full';
        this.deps.logger.error(
          `exporter ${this.name}: ${
            full ? 'fallback file full' : 'fallback file write failed'
          }`,
          { error: String(e) },
        );
        if (entry.file) {
          this.deps.logger.warn(
            `exporter ${this.name}: ${entry.spans} spans stay in the persistent queue for the next start`,
          );
          entry.settle({ kind: 'retained' });
          return;
        }
      }
    }
    await this.forget(entry);
    this.deps.logger.warn(
      `exporter ${this.name}: dropped ${entry.spans} spans (${dropReason})`,
    );
    entry.settle({ kind: 'dropped', reason: dropReason });
  }
}
