import type { ForwardShard, ForwardShare } from '../routing/clusterRouting';
import { Admission, MemoryReservation, RefusalReason } from './memoryLimiter';
import { ResourceSpans, SpanBatch } from '../otlp/model';
import { OtlpJsonError, parseExportRequestJson } from '../otlp/otlpJson';
import { countSpans, shareOfBytes } from '../otlp/spanBatch';
import { decodeExportRequest } from '../otlp/wire';
import { DecodeSlots } from './decodeSlots';
import {
  Body,
  BodyTooLargeError,
  decompressorFor,
  readBody,
  ReadProgress,
  ReservationRefusedError,
} from './readBody';
import {
  errorResponse,
  OtlpFormat,
  OtlpHttpResponse,
  refusal,
  successResponse,
} from './responses';
import { rejectionMessage, validateResourceSpans } from './validation';

export type { OtlpFormat, OtlpHttpResponse } from './responses';

export interface OtlpHttpRequest {
  /** The Content-Type header (parameters allowed). */
  contentType?: string | null;
  /** The Content-Encoding header: gzip, deflate, br, identity or none. */
  contentEncoding?: string | null;
  /** The raw request body, e.g. the Node/express request stream itself. */
  body: AsyncIterable<Uint8Array | string>;
  /** The Content-Length header, if any: the refused bytes of a request refused unread. */
  contentLength?: number | string | null;
  /**
   * The spans were sent here by the replica (or worker) that routed them: they are decided here,
   * never routed to another portal replica again (see routing/clusterRouting).
   */
  routed?: boolean;
  /**
   * Every span belongs to worker shard `index` of `of` (see workerShardIds), as the replica that
   * routed them here says: a worker pool of `of` workers hands the request to that worker.
   */
  shard?: ForwardShard;
  /**
   * Set by a pipeline worker: this request's shares for other portal replicas are put here
   * (counted as handed on) instead of forwarded by the router, and go back to the main thread
   * with the answer, which queues them for their owners before it answers (see WorkerRequests).
   */
  forwards?: ForwardShare[];
}

/** What the receiver hands on for one request that decoded. */
export interface DecodedExport {
  /** The spans that passed validation; `bytes` estimates the memory they hold (see MEMORY_PER_WIRE_BYTE). */
  batch: SpanBatch;
  /** Spans in the request, valid or not. */
  receivedSpans: number;
  rejectedSpans: number;
  /** Why spans were rejected (for partialSuccess.errorMessage). */
  rejectionMessage?: string;
  format: OtlpFormat;
  /**
   * The memory reserved while the body streamed in (see ReceiverOptions.reserve): `accept`
   * commits it for the batch; whatever is not committed is released when the request ends.
   */
  reservation?: MemoryReservation;
  /**
   * Spans of the request that other owners own, split off before decoding (see `splitBody`):
   * counted in `receivedSpans`, never decoded here; `send` hands them over.
   */
  remote?: { spans: number; send(): Promise<Admission> };
}

/** A protobuf body split before decoding: this owner's spans, and the others' to hand over. */
export interface SplitBody {
  /** This owner's part (an `ExportTraceServiceRequest`), if it has spans of it. */
  local: Buffer | undefined;
  remoteSpans: number;
  /** Hands the other owners' parts over; settles when each was taken (or refused). */
  send(): Promise<Admission>;
}

export interface ReceiverOptions {
  /** Limit on the body after decompression. */
  maxBodyBytes: number;
  /** Limit on the body as sent, before decompression (default: maxBodyBytes). */
  maxCompressedBodyBytes?: number;
  /** Requests read and decoded at once (default: no limit); more wait in a queue. */
  maxConcurrentDecodes?: number;
  /** Requests that may wait for a decode slot (default 0); beyond it: 503 + Retry-After. */
  maxQueuedDecodes?: number;
  /** How long a request waits for a decode slot before 503 + Retry-After (default 1000 ms). */
  decodeQueueTimeoutMs?: number;
  /** Retry-After of the receiver's own 503s (decode slots busy); default 5. */
  retryAfterSeconds?: number;
  /**
   * Asked before the body is read: a refusal here (memory already above its soft limit) is
   * answered at once, without spending CPU on decoding spans that cannot be taken anyway.
   */
  precheck?(): Admission;
  /**
   * A reservation that grows by the estimated decoded size (MEMORY_PER_WIRE_BYTE) of each
   * decompressed chunk as the body streams in; a refusal stops reading before anything is
   * decoded. Handed to `accept` in DecodedExport.reservation; released on every other path.
   */
  reserve?(): MemoryReservation;
  /**
   * Splits a protobuf body by owner before it is decoded, so spans owned elsewhere are never
   * decoded here; undefined when every span is to be decoded here. Throws on malformed framing
   * (answered 400).
   */
  splitBody?(
    body: Buffer,
    length: number,
    request: OtlpHttpRequest,
  ): SplitBody | undefined;
  /** Takes the valid spans, or refuses them as a whole (memory pressure). May throw on bugs only. */
  accept(
    decoded: DecodedExport,
    request: OtlpHttpRequest,
  ): Admission | Promise<Admission>;
  /**
   * Told of every refused request (429/503, and 413 for size limits) with its wire bytes
   * (Content-Length, or what was read when larger or not declared).
   */
  onRefused?(reason: RefusalReason, bytes: number): void;
}

/**
 * Decoded spans take several times their wire size in memory (measured with the bench payloads:
 * about 2.2 KB of heap per span plus the retained request buffer, for 450 B of protobuf or 900 B
 * of JSON). The memory limiter counts this estimate, not the wire size.
 */
export const MEMORY_PER_WIRE_BYTE: Record<OtlpFormat, number> = {
  protobuf: 6,
  json: 3,
};

function formatOf(
  contentType: string | null | undefined,
): OtlpFormat | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (
    mediaType === 'application/x-protobuf' ||
    mediaType === 'application/protobuf'
  )
    return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

function declaredLength(value: number | string | null | undefined): number {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

class BadRequestError extends Error {}

function decode({ buffer, length }: Body, format: OtlpFormat): ResourceSpans[] {
  try {
    return format === 'protobuf'
      ? decodeExportRequest(buffer, length)
      : parseExportRequestJson(buffer.toString('utf8', 0, length));
  } catch (e) {
    const detail =
      e instanceof OtlpJsonError || e instanceof Error ? e.message : String(e);
    const reason =
      e instanceof RangeError && /call stack/.test(detail)
        ? 'nested too deeply'
        : detail;
    throw new BadRequestError(
      `invalid ${
        format === 'protobuf' ? 'protobuf' : 'JSON'
      } payload: ${reason}`,
    );
  }
}

type Refusal = Extract<Admission, { admitted: false }>;

/**
 * OTLP/HTTP 1.x trace receiver without a web framework: protobuf and JSON, gzip/deflate/br,
 * limits on the body as sent and after decompression, memory reserved as the body streams in,
 * a bound on concurrent decodes, per-span validation answered with partialSuccess, and refusals
 * answered with 429/503 + Retry-After. Bad input never yields a 5xx.
 */
export class OtlpHttpReceiver {
  private readonly slots: DecodeSlots;

  constructor(private readonly options: ReceiverOptions) {
    this.slots = new DecodeSlots(
      options.maxConcurrentDecodes ?? Infinity,
      options.maxQueuedDecodes ?? 0,
      options.decodeQueueTimeoutMs ?? 1000,
    );
  }

  async handle(request: OtlpHttpRequest): Promise<OtlpHttpResponse> {
    const format = formatOf(request.contentType);
    if (!format) {
      return errorResponse(
        'json',
        415,
        `unsupported content type "${String(
          request.contentType ?? '',
        )}": use application/x-protobuf or application/json`,
      );
    }
    const decompressor = decompressorFor(request.contentEncoding);
    if (decompressor === undefined) {
      return errorResponse(
        format,
        415,
        `unsupported content encoding "${String(
          request.contentEncoding,
        )}": use gzip or none`,
      );
    }
    const progress: ReadProgress = { compressedBytes: 0 };
    const refuse = (
      admission: Refusal,
      extraHeaders: Record<string, string> = {},
    ) => {
      this.options.onRefused?.(
        admission.reason ?? 'memory_limit',
        Math.max(
          declaredLength(request.contentLength),
          progress.compressedBytes,
        ),
      );
      return refusal(format, admission, extraHeaders);
    };

    const early = this.options.precheck?.();
    if (early && !early.admitted) return refuse(early);
    const slot = await this.slots.acquire();
    if (slot === 'busy') {
      return refuse({
        admitted: false,
        status: 503,
        retryAfterSeconds: this.options.retryAfterSeconds ?? 5,
        reason: 'decode_busy',
        message: `all ${this.slots.max} decode slots are busy, retry later`,
      });
    }
    const reservation = this.options.reserve?.();
    // The slot bounds decoding only: it is given back once the body is decoded, before the
    // spans are accepted. Accepting may wait on another replica (spans forwarded to their owner,
    // whose receiver needs a slot of its own): holding the slot then would let two replicas'
    // slots wait on each other until their timeouts.
    let slotHeld = true;
    const releaseSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      this.slots.release();
    };
    try {
      if (slot === 'waited') {
        // Memory may have filled up while this request waited.
        const again = this.options.precheck?.();
        if (again && !again.admitted) return refuse(again);
      }
      let decoded: DecodedExport;
      try {
        decoded = await this.read(
          request,
          format,
          decompressor,
          progress,
          reservation,
        );
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          return refuse(
            {
              admitted: false,
              status: 413,
              reason: 'too_large',
              message: e.message,
            },
            { connection: 'close' },
          );
        }
        if (e instanceof ReservationRefusedError)
          return refuse(e.admission, { connection: 'close' });
        const message =
          e instanceof BadRequestError
            ? e.message
            : `could not read request body: ${(e as Error)?.message ?? e}`;
        return errorResponse(format, 400, message);
      }
      releaseSlot();

      let admission: Admission;
      try {
        admission =
          decoded.receivedSpans > 0
            ? await this.options.accept(decoded, request)
            : { admitted: true };
      } catch {
        return errorResponse(
          format,
          500,
          'internal error while accepting spans',
        );
      }
      if (!admission.admitted) return refuse(admission);
      return successResponse(
        format,
        decoded.rejectedSpans,
        decoded.rejectionMessage,
      );
    } finally {
      // A no-op when accept committed it.
      reservation?.release();
      releaseSlot();
    }
  }

  private split(body: Body, request: OtlpHttpRequest): SplitBody | undefined {
    if (!this.options.splitBody) return undefined;
    try {
      return this.options.splitBody(body.buffer, body.length, request);
    } catch (e) {
      throw new BadRequestError(
        `invalid protobuf payload: ${e instanceof Error ? e.message : e}`,
      );
    }
  }

  private async read(
    request: OtlpHttpRequest,
    format: OtlpFormat,
    decompressor: (() => NodeJS.ReadWriteStream) | null,
    progress: ReadProgress,
    reservation: MemoryReservation | undefined,
  ): Promise<DecodedExport> {
    const perByte = MEMORY_PER_WIRE_BYTE[format];
    const body = await readBody(
      request.body,
      decompressor,
      {
        maxBytes: this.options.maxBodyBytes,
        maxCompressedBytes:
          this.options.maxCompressedBodyBytes ?? this.options.maxBodyBytes,
        onChunk: reservation
          ? bytes => reservation.grow(bytes * perByte)
          : undefined,
      },
      progress,
    );
    const split = format === 'protobuf' ? this.split(body, request) : undefined;
    const resourceSpans = decode(
      split
        ? {
            buffer: split.local ?? Buffer.alloc(0),
            length: split.local?.length ?? 0,
          }
        : body,
      format,
    );
    const decodedSpans = countSpans(resourceSpans);
    const remoteSpans = split?.remoteSpans ?? 0;
    const receivedSpans = decodedSpans + remoteSpans;
    const { kept, keptSpans, rejected } = validateResourceSpans(resourceSpans);
    return {
      batch: {
        resourceSpans: kept,
        spanCount: keptSpans,
        bytes: shareOfBytes(body.length * perByte, keptSpans, receivedSpans),
      },
      receivedSpans,
      rejectedSpans: decodedSpans - keptSpans,
      rejectionMessage: rejected.size ? rejectionMessage(rejected) : undefined,
      remote: split ? { spans: remoteSpans, send: split.send } : undefined,
      format,
      reservation,
    };
  }
}
