import { ExporterConfig } from '../config';
import { FallbackFile, FallbackFullError } from './fallbackFile';
import { PipelineMetrics } from '../telemetry/metrics';
import { PersistentQueue } from './persistentQueue';
import { partialSuccessOf } from '../otlp/partialSuccess';

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

type Attempt =
  /** `rejected` spans the backend refused in a partial success, with its reason. */
  | { outcome: 'success'; rejected: number; message: string }
  | {
      outcome: 'retryable' | 'network' | 'timeout';
      retryAfterMs?: number;
      detail: string;
    }
  | { outcome: 'permanent'; detail: string }
  | { outcome: 'stopped' };

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const JITTER = 0.5;

/** Parses Retry-After as delay-seconds or an HTTP-date; undefined when absent or unparsable. */
export function parseRetryAfter(
  value: string | null,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * OTLP/HTTP protobuf exporter with the Collector exporterhelper's behaviour: a bounded queue,
 * parallel senders, retries of 429/502/503/504 and network errors with jittered exponential
 * backoff honouring Retry-After, a per-attempt timeout, permanent failures dropped, a retry budget
 * (`maxElapsedMs`), an optional persistent queue and an optional fallback file for what it would
 * otherwise drop.
 */
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

export class OtlpHttpExporter {
  private readonly waiting: Entry[] = [];
  private active = 0;
  private stopping = false;
  private stopped = false;
  private readonly controllers = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private idleWaiters: (() => void)[] = [];
  private readonly persistent?: PersistentQueue;
  private readonly random: () => number;
  private failedSpansTotal = 0;

  constructor(
    readonly config: ExporterConfig,
    private readonly deps: ExporterDeps,
  ) {
    this.persistent = config.persistentQueueDir
      ? new PersistentQueue(config.persistentQueueDir)
      : undefined;
    this.random = deps.random ?? Math.random;
  }

  get name(): string {
    return this.config.name;
  }

  /** Batches waiting or being sent. */
  size(): number {
    return this.waiting.length + this.active;
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
    for (const { file, spans } of batches) {
      this.waiting.push({ spans, file, settle: restore(spans) });
    }
    if (batches.length) {
      this.deps.logger.info(
        `exporter ${this.name}: resuming ${batches.length} persisted batches`,
      );
    }
    this.pump();
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
    this.waiting.push(entry);
    this.pump();
  }

  /** Sends what is queued until the deadline, then stops; persisted batches stay on disk. */
  async shutdown(deadline: number): Promise<void> {
    this.stopping = true;
    const timer = setTimeout(
      () => this.stopNow(),
      Math.max(0, deadline - Date.now()),
    );
    try {
      await this.idle();
    } finally {
      clearTimeout(timer);
    }
    this.stopNow();
    await this.idle();
  }

  private stopNow(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.controllers) c.abort();
    for (const wake of this.sleepers) wake();
    const left = this.waiting.splice(0);
    this.active += left.length;
    for (const entry of left) {
      void this.finishStopped(entry).finally(() => this.done());
    }
  }

  private idle(): Promise<void> {
    if (this.size() === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  private done(): void {
    this.active--;
    this.pump();
    if (this.size() === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private pump(): void {
    while (
      !this.stopped &&
      this.active < this.config.concurrency &&
      this.waiting.length
    ) {
      const entry = this.waiting.shift()!;
      this.active++;
      void this.process(entry).finally(() => this.done());
    }
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
      const result = await this.sendWithRetries(body!);
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

  private async sendWithRetries(
    body: Buffer,
  ): Promise<
    | { rejected: number; message: string }
    | 'stopped'
    | 'permanent_error'
    | 'retries_exhausted'
  > {
    const { initialIntervalMs, maxIntervalMs, maxElapsedMs } =
      this.config.retry;
    const started = Date.now();
    let interval = initialIntervalMs;
    for (;;) {
      if (this.stopped) return 'stopped';
      const attempt = await this.attempt(body);
      switch (attempt.outcome) {
        case 'success':
          return { rejected: attempt.rejected, message: attempt.message };
        case 'stopped':
          return 'stopped';
        case 'permanent':
          this.deps.logger.warn(
            `exporter ${this.name}: permanent export failure: ${attempt.detail}`,
          );
          return 'permanent_error';
        default: {
          const backoff = interval * (1 + JITTER * (2 * this.random() - 1));
          const delay = attempt.retryAfterMs ?? backoff;
          interval = Math.min(interval * 2, maxIntervalMs);
          if (Date.now() - started + delay > maxElapsedMs) {
            this.deps.logger.warn(
              `exporter ${this.name}: giving up after retries: ${attempt.detail}`,
            );
            return 'retries_exhausted';
          }
          await this.sleep(delay);
        }
      }
    }
  }

  private async attempt(body: Buffer): Promise<Attempt> {
    const controller = new AbortController();
    this.controllers.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.config.timeoutMs);
    const endTimer = this.deps.metrics.exportDuration.startTimer({
      exporter: this.name,
    });
    let result: Attempt;
    try {
      const res = await fetch(this.config.endpoint, {
        method: 'POST',
        headers: {
          ...this.config.headers,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
        },
        body,
        signal: controller.signal,
      });
      const responseBody = await res.arrayBuffer().then(
        b => Buffer.from(b),
        () => Buffer.alloc(0),
      );
      const text = responseBody.subarray(0, 512).toString('utf8');
      if (res.ok)
        result = {
          outcome: 'success',
          ...partialSuccessOf(responseBody, res.headers.get('content-type')),
        };
      else if (RETRYABLE_STATUSES.has(res.status))
        result = {
          outcome: 'retryable',
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
          detail: `HTTP ${res.status}`,
        };
      else
        result = {
          outcome: 'permanent',
          detail: `HTTP ${res.status} ${text
            .replace(/[^\x20-\x7e]+/g, ' ')
            .trim()}`,
        };
    } catch (e) {
      if (this.stopped) result = { outcome: 'stopped' };
      else if (timedOut)
        result = {
          outcome: 'timeout',
          detail: `no response within ${this.config.timeoutMs} ms`,
        };
      else
        result = {
          outcome: 'network',
          detail: String((e as Error).cause ?? e),
        };
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    endTimer({ outcome: result.outcome });
    return result;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
