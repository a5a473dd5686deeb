import { BatchConfig } from './config';
import { SpanBatch } from './model';
import { concatBatches, splitBatch } from './spanBatch';

/**
 * Groups spans into batches like the Collector's batch processor: a batch leaves as soon as
 * `sendBatchSize` spans are pending (split to at most `sendBatchMaxSize`), and whatever is
 * pending leaves `timeoutMs` after the first of it arrived.
 */
export class Batcher {
  private pending: SpanBatch[] = [];
  private pendingSpans = 0;
  private pendingBytes = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: BatchConfig,
    private readonly send: (batch: SpanBatch) => void,
  ) {}

  consume(batch: SpanBatch): void {
    if (batch.spanCount === 0) return;
    this.pending.push(batch);
    this.pendingSpans += batch.spanCount;
    this.pendingBytes += batch.bytes;
    if (this.pendingSpans >= this.config.sendBatchSize) this.emit(false);
    if (this.pendingSpans > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.config.timeoutMs);
      this.timer.unref();
    }
  }

  held(): { spans: number; bytes: number } {
    return { spans: this.pendingSpans, bytes: this.pendingBytes };
  }

  /** Sends everything pending now. */
  flush(): void {
    this.emit(true);
  }

  shutdown(): void {
    this.flush();
  }

  private emit(all: boolean): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pendingSpans === 0) return;
    const parts = splitBatch(concatBatches(this.pending), this.config.sendBatchMaxSize);
    this.pending = [];
    this.pendingSpans = 0;
    this.pendingBytes = 0;
    let remaining = parts.reduce((n, p) => n + p.spanCount, 0);
    let i = 0;
    for (; i < parts.length && (all || remaining >= this.config.sendBatchSize); i++) {
      remaining -= parts[i].spanCount;
      this.send(parts[i]);
    }
    for (; i < parts.length; i++) {
      this.pending.push(parts[i]);
      this.pendingSpans += parts[i].spanCount;
      this.pendingBytes += parts[i].bytes;
    }
  }
}
