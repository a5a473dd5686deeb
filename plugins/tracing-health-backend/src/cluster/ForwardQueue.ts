import type { ForwardOutcome } from '@internal/tracing-pipeline';

/** How one peer's forwards are batched, bounded and retried (see readClusterConfig). */
export interface ForwardQueueSettings {
  /** Ms a forward waits for more spans for the same peer before it is sent (0: never). */
  lingerMs: number;
  /** A forward request is sent once it holds this many spans... */
  maxBatchSpans: number;
  /** ...or this many bytes (OTLP protobuf, before compression). */
  maxBatchBytes: number;
  /** Bytes queued for the peer (waiting, being sent or retried) before new shares are refused. */
  maxQueueBytes: number;
  /** Forward requests in flight to the peer at once. */
  concurrency: number;
  /** Ms from a share's arrival until it must be acknowledged by the peer, retries included. */
  deadlineMs: number;
}

/** The result of one attempt to send a forward request. */
export type SendResult =
  | { ok: true }
  | {
      ok: false;
      reason: string;
      /** Whether the peer took nothing and may take it later (429, 503, no connection). */
      retryable: boolean;
      /** The peer's Retry-After, in ms. */
      retryAfterMs?: number;
    };

/** The time source of the queue; tests inject one to fire lingers and backoffs by hand. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout),
};

export interface ForwardQueueHooks {
  /** One attempt: sends `body` (holding `spans` spans) to the peer within `timeoutMs`. */
  send(body: Uint8Array, spans: number, timeoutMs: number): Promise<SendResult>;
  /** The peer acknowledged a forward request holding `spans` spans. */
  delivered(spans: number): void;
  /** A send failed and will be tried again. */
  retried(reason: string): void;
  /** A forward (a batch, or a share refused at the door) failed for good: decided here. */
  failed(reason: string, spans: number): void;
}

/** Backoff before the n-th retry: 50 ms doubling up to 1 s, times a jitter in [0.5, 1.5). */
const BACKOFF_INITIAL_MS = 50;
const BACKOFF_MAX_MS = 1000;

/** What became of a share offered to the queue. */
export type Enqueued =
  | { queued: true; outcome: Promise<ForwardOutcome> }
  | { queued: false; reason: 'queue_full' };

interface Share {
  body: Uint8Array;
  spans: number;
  resolve(outcome: ForwardOutcome): void;
}

interface Batch {
  shares: Share[];
  spans: number;
  bytes: number;
  /** When the oldest share's time is up (epoch ms). */
  deadline: number;
  retries: number;
  /** The shares' bytes concatenated, once sent (kept for retries). */
  body?: Uint8Array;
}

/**
 * One peer's forwards, as the OpenTelemetry Collector's loadbalancing exporter batches, queues and
 * retries per backend. Shares for the peer from many requests are coalesced into one forward
 * request (OTLP protobuf `ExportTraceServiceRequest`s concatenate byte-wise into one valid
 * message), sent when it reaches `maxBatchSpans` or `maxBatchBytes`, or `lingerMs` after its first
 * share once a slot of `concurrency` is free (while all are busy it keeps growing). Nobody waits
 * on a forward (the shares were acknowledged when queued), so the linger costs no request any
 * latency and makes each forward carry the traffic of its whole window. A request that fails with
 * a retryable reason is sent again after a backoff (at least the peer's Retry-After) until its
 * deadline; then, or at once for any other failure, every share in it resolves with the failure
 * and is decided here. A share that would take the queue past `maxQueueBytes` is refused at once
 * (`queue_full`), unless the queue is empty. Each queued share's outcome resolves when the peer
 * acknowledged it or when it failed; it never rejects.
 */
export class ForwardQueue {
  private open?: Batch;
  /** Sealed batches waiting for a slot: full ones, and retries (first). */
  private readonly ready: Batch[] = [];
  private lingerTimer?: unknown;
  /** The open batch has lingered long enough: sent as soon as a slot is free. */
  private due = false;
  private inFlight = 0;
  private bytes = 0;
  private spans = 0;
  private closing = false;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly settings: ForwardQueueSettings,
    private readonly hooks: ForwardQueueHooks,
    private readonly timers: Timers = systemTimers,
    private readonly random: () => number = Math.random,
  ) {}

  /** Bytes held for the peer: waiting, being sent or waiting to be retried. */
  queuedBytes(): number {
    return this.bytes;
  }

  /** Spans held for the peer: waiting, being sent or waiting to be retried. */
  queuedSpans(): number {
    return this.spans;
  }

  /**
   * Queues a share (an OTLP protobuf `ExportTraceServiceRequest`) for the peer, or refuses it at
   * once (`queue_full`). A queued share's `outcome` resolves once the peer acknowledged it or it
   * failed for good.
   */
  enqueue(body: Uint8Array, spans: number): Enqueued {
    const size = body.byteLength;
    const { settings } = this;
    if (this.bytes > 0 && this.bytes + size > settings.maxQueueBytes) {
      this.hooks.failed('queue_full', spans);
      return { queued: false, reason: 'queue_full' };
    }
    const outcome = new Promise<ForwardOutcome>(resolve => {
      const open = this.open;
      if (
        open &&
        (open.bytes + size > settings.maxBatchBytes ||
          open.spans + spans > settings.maxBatchSpans)
      )
        this.seal();
      const batch = (this.open ??= {
        shares: [],
        spans: 0,
        bytes: 0,
        deadline: this.timers.now() + settings.deadlineMs,
        retries: 0,
      });
      batch.shares.push({ body, spans, resolve });
      batch.spans += spans;
      batch.bytes += size;
      this.bytes += size;
      this.spans += spans;
      if (
        batch.bytes >= settings.maxBatchBytes ||
        batch.spans >= settings.maxBatchSpans
      )
        this.seal();
      else if (this.closing || settings.lingerMs <= 0) this.due = true;
      else
        this.lingerTimer ??= this.timers.setTimeout(() => {
          this.lingerTimer = undefined;
          this.due = true;
          this.pump();
        }, settings.lingerMs);
      this.pump();
    });
    return { queued: true, outcome };
  }

  /** Sends what lingers at once and resolves when every queued share has its outcome. */
  flush(): Promise<void> {
    this.closing = true;
    if (this.open) this.due = true;
    this.pump();
    if (this.bytes === 0) return Promise.resolve();
    return new Promise(resolve => this.idle.push(resolve));
  }

  /** Moves the open batch to the ready ones. */
  private seal() {
    if (this.lingerTimer !== undefined) {
      this.timers.clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.due = false;
    if (this.open) this.ready.push(this.open);
    this.open = undefined;
  }

  private pump() {
    while (this.inFlight < this.settings.concurrency) {
      if (!this.ready.length && this.open && this.due) this.seal();
      const batch = this.ready.shift();
      if (!batch) return;
      this.inFlight++;
      void this.attempt(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async attempt(batch: Batch): Promise<void> {
    const remaining = batch.deadline - this.timers.now();
    if (remaining <= 0) {
      this.settle(batch, { ok: false, reason: 'timeout' });
      return;
    }
    batch.body ??=
      batch.shares.length === 1
        ? batch.shares[0].body
        : Buffer.concat(
            batch.shares.map(s => s.body),
            batch.bytes,
          );
    let result: SendResult;
    try {
      result = await this.hooks.send(batch.body, batch.spans, remaining);
    } catch {
      result = { ok: false, reason: 'internal_error', retryable: false };
    }
    if (result.ok) {
      this.hooks.delivered(batch.spans);
      this.settle(batch, { ok: true });
      return;
    }
    if (result.retryable) {
      const backoff =
        Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** batch.retries) *
        (0.5 + this.random());
      const wait = Math.max(backoff, result.retryAfterMs ?? 0);
      if (this.timers.now() + wait < batch.deadline) {
        batch.retries++;
        this.hooks.retried(result.reason);
        this.timers.setTimeout(() => {
          // Older spans first.
          this.ready.unshift(batch);
          this.pump();
        }, wait);
        return;
      }
    }
    this.settle(batch, { ok: false, reason: result.reason });
  }

  private settle(batch: Batch, outcome: ForwardOutcome) {
    if (!outcome.ok) this.hooks.failed(outcome.reason, batch.spans);
    this.bytes -= batch.bytes;
    this.spans -= batch.spans;
    for (const share of batch.shares) share.resolve(outcome);
    if (this.bytes === 0) for (const done of this.idle.splice(0)) done();
  }
}
