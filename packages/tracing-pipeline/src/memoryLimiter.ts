import { MemoryConfig } from './config';

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      /** 429 above the soft limit, 503 when the request would cross the hard limit, 413 when it never fits. */
      status: 413 | 429 | 503;
      retryAfterSeconds?: number;
      message: string;
    };

export interface MemoryUsage {
  spans: number;
  bytes: number;
}

/**
 * Caps the spans and bytes held anywhere in the pipeline (receiver hand-off, sampler, batcher,
 * exporter queues). Spans are reserved when a request is accepted and released when they are
 * exported or dropped. Above the soft limit new requests are refused; a request that would take
 * usage past the hard limit is refused as a whole, so the hard limit is never exceeded.
 */
export class MemoryLimiter {
  private spans = 0;
  private bytes = 0;

  constructor(private readonly limits: MemoryConfig) {}

  /** Refuses (429) while usage is at or above the soft limit; admits otherwise. Reserves nothing. */
  check(): Admission {
    const { softLimitBytes, softLimitSpans, retryAfterSeconds } = this.limits;
    if (this.spans >= softLimitSpans || this.bytes >= softLimitBytes) {
      return {
        admitted: false,
        status: 429,
        retryAfterSeconds,
        message: 'pipeline memory above its soft limit, retry later',
      };
    }
    return { admitted: true };
  }

  tryReserve(spans: number, bytes: number): Admission {
    const { hardLimitBytes, hardLimitSpans, retryAfterSeconds } = this.limits;
    if (spans > hardLimitSpans || bytes > hardLimitBytes) {
      return {
        admitted: false,
        status: 413,
        message: `request holds ${spans} spans / ${bytes} bytes, more than the pipeline memory limit (${hardLimitSpans} spans / ${hardLimitBytes} bytes); send smaller batches`,
      };
    }
    const soft = this.check();
    if (!soft.admitted) return soft;
    if (
      this.spans + spans > hardLimitSpans ||
      this.bytes + bytes > hardLimitBytes
    ) {
      return {
        admitted: false,
        status: 503,
        retryAfterSeconds,
        message: 'pipeline memory would exceed its hard limit, retry later',
      };
    }
    this.spans += spans;
    this.bytes += bytes;
    return { admitted: true };
  }

  /**
   * Counts bytes that outgrew their reservation (an estimate that fell short). Never refuses: the
   * spans are already in. Estimates are chosen so this does not happen in practice.
   */
  grow(bytes: number): void {
    this.bytes += bytes;
  }

  release(spans: number, bytes: number): void {
    this.spans = Math.max(0, this.spans - spans);
    this.bytes = Math.max(0, this.bytes - bytes);
  }

  usage(): MemoryUsage {
    return { spans: this.spans, bytes: this.bytes };
  }

  get config(): MemoryConfig {
    return this.limits;
  }
}
