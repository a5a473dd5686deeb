import { BatchConfig } from '../config';
import { EncodedBatch, EncodedChunk } from '../otlp/spanBatch';

/**
 * Groups encoded spans into export batches like the Collector's batch processor: a batch leaves
 * as soon as `sendBatchSize` spans are pending, and whatever is pending leaves `timeoutMs` after
 * the first of it arrived. Batches hold at most `sendBatchMaxSize` spans (0: no limit); they are
 * cut between ResourceSpans, which the pipeline splits beforehand when one alone is too large.
 */
export class Batcher {
  private chunks: EncodedChunk[] = [];
  private pendingSpans = 0;
  private pendingBytes = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: BatchConfig,
    private readonly send: (batch: EncodedBatch) => void,
  ) {}

  consume(batch: EncodedBatch): void {
    if (batch.spanCount === 0) return;
    for (const chunk of batch.chunks) this.chunks.push(chunk);
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
    const max = this.config.sendBatchMaxSize || Infinity;
    let i = 0;
    while (
      i < this.chunks.length &&
      (all || this.pendingSpans >= this.config.sendBatchSize)
    ) {
      const chunks: EncodedChunk[] = [];
      let spanCount = 0;
      let bytes = 0;
      while (
        i < this.chunks.length &&
        (chunks.length === 0 || spanCount + this.chunks[i].spanCount <= max)
      ) {
        const chunk = this.chunks[i++];
        chunks.push(chunk);
        spanCount += chunk.spanCount;
        bytes += chunk.data.length;
      }
      this.pendingSpans -= spanCount;
      this.pendingBytes -= bytes;
      this.send({ chunks, spanCount, bytes });
    }
    this.chunks = i === this.chunks.length ? [] : this.chunks.slice(i);
  }
}
