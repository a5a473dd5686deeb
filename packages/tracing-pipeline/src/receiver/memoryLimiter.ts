import { MemoryConfig } from '../config';

/**
 * Why a request was refused, the `reason` label of `requests_refused_total`: memory pressure,
 * shutdown, all decode slots busy, or a body over the receiver's size limits.
 */
export type RefusalReason =
  | 'memory_limit'
  | 'shutting_down'
  | 'decode_busy'
  | 'too_large';

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      /** 429 above the soft limit, 503 when the request would cross the hard limit, 413 when it never fits. */
      status: 413 | 429 | 503;
      retryAfterSeconds?: number;
      message: string;
      /** Defaults to memory_limit. */
      reason?: RefusalReason;
    };

export interface MemoryUsage {
  spans: number;
  bytes: number;
}

/**
 * Bytes reserved for one request while its body streams in, before it is decoded. `grow` adds
 * the estimated decoded size of each decompressed chunk and refuses once the pipeline would
 * cross its hard byte limit; `commit` turns the reservation into the decoded batch's (spans
 * added, unneeded bytes given back); `release` gives everything back and is a no-op once
 * committed or released, so callers may call it on every exit path.
 */
export interface MemoryReservation {
  /** Bytes currently held by this reservation. */
  readonly bytes: number;
  grow(bytes: number): Admission;
  commit(spans: number, bytes: number): Admission;
  release(): void;
}

/**
 * Caps the spans and bytes held anywhere in the pipeline (request bodies being read, receiver
 * hand-off, sampler, batcher, exporter queues). Bytes are reserved while a body streams in (see
 * `reserve`), spans when the decoded request is accepted; both are released when the spans are
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
        reason: 'memory_limit',
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
        reason: 'memory_limit',
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
        reason: 'memory_limit',
        message: 'pipeline memory would exceed its hard limit, retry later',
      };
    }
    this.spans += spans;
    this.bytes += bytes;
    return { admitted: true };
  }

  /** Starts an empty reservation for a request body about to be read. */
  reserve(): MemoryReservation {
    let held = 0;
    let open = true;
    const ensureOpen = () => {
      if (!open) throw new Error('reservation already committed or released');
    };
    return {
      get bytes() {
        return held;
      },
      grow: bytes => {
        ensureOpen();
        const admission = this.growBytes(held, bytes);
        if (admission.admitted) held += bytes;
        return admission;
      },
      commit: (spans, bytes) => {
        ensureOpen();
        const admission = this.commitReservation(held, spans, bytes);
        if (admission.admitted) open = false;
        return admission;
      },
      release: () => {
        if (!open) return;
        open = false;
        this.release(0, held);
      },
    };
  }

  private growBytes(held: number, bytes: number): Admission {
    const { hardLimitBytes, retryAfterSeconds } = this.limits;
    if (held + bytes > hardLimitBytes) {
      return {
        admitted: false,
        status: 413,
        reason: 'memory_limit',
        message: `request body needs more than the pipeline memory limit (${hardLimitBytes} bytes once decoded); send smaller batches`,
      };
    }
    if (this.bytes + bytes > hardLimitBytes) {
      return {
        admitted: false,
        status: 503,
        retryAfterSeconds,
        reason: 'memory_limit',
        message: 'pipeline memory would exceed its hard limit, retry later',
      };
    }
    this.bytes += bytes;
    return { admitted: true };
  }

  /**
   * Like tryReserve for a request whose body already holds `held` bytes: the soft limit is judged
   * on usage without this request, the hard limits with it.
   */
  private commitReservation(
    held: number,
    spans: number,
    bytes: number,
  ): Admission {
    const { hardLimitBytes, hardLimitSpans, softLimitSpans, softLimitBytes } =
      this.limits;
    const { retryAfterSeconds } = this.limits;
    if (spans > hardLimitSpans || bytes > hardLimitBytes) {
      return {
        admitted: false,
        status: 413,
        reason: 'memory_limit',
        message: `request holds ${spans} spans / ${bytes} bytes, more than the pipeline memory limit (${hardLimitSpans} spans / ${hardLimitBytes} bytes); send smaller batches`,
      };
    }
    if (this.spans >= softLimitSpans || this.bytes - held >= softLimitBytes) {
      return {
        admitted: false,
        status: 429,
        retryAfterSeconds,
        reason: 'memory_limit',
        message: 'pipeline memory above its soft limit, retry later',
      };
    }
    if (
      this.spans + spans > hardLimitSpans ||
      this.bytes - held + bytes > hardLimitBytes
    ) {
      return {
        admitted: false,
        status: 503,
        retryAfterSeconds,
        reason: 'memory_limit',
        message: 'pipeline memory would exceed its hard limit, retry later',
      };
    }
    this.spans += spans;
    this.bytes += bytes - held;
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
