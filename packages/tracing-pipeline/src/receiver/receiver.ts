import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Admission, MemoryReservation, RefusalReason } from './memoryLimiter';
import { ResourceSpans, serviceNameOf, Span, SpanBatch } from '../otlp/model';
import { OtlpJsonError, parseExportRequestJson } from '../otlp/otlpJson';
import { ExportTraceServiceResponseCodec } from '../otlp/otlpRoot';
import { countSpans, shareOfBytes } from '../otlp/spanBatch';
import { decodeExportRequest } from '../otlp/wire';

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
}

export interface OtlpHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type OtlpFormat = 'protobuf' | 'json';

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

const CONTENT_TYPES: Record<OtlpFormat, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

// google.rpc.Code values for the HTTP statuses we answer with.
const RPC_CODES: Record<number, number> = {
  400: 3,
  413: 8,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};

class BodyTooLargeError extends Error {
  constructor(readonly limit: number, readonly compressed: boolean) {
    super(
      compressed
        ? `request body exceeds ${limit} bytes as sent`
        : `request body exceeds ${limit} bytes after decompression`,
    );
  }
}

/** The memory reservation refused to grow while the body was being read. */
class ReservationRefusedError extends Error {
  constructor(readonly admission: Extract<Admission, { admitted: false }>) {
    super(admission.message);
  }
}

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

function decompressorFor(contentEncoding: string | null | undefined) {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip;
    case 'deflate':
      return createInflate;
    case 'br':
      return createBrotliDecompress;
    default:
      return undefined;
  }
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** A request body with one spare byte after it (see decodeExportRequest). */
interface Body {
  buffer: Buffer;
  length: number;
}

interface ReadLimits {
  /** Limit after decompression. */
  maxBytes: number;
  /** Limit on the bytes as sent. */
  maxCompressedBytes: number;
  /** Told the size of each decompressed chunk before it is kept; a refusal stops reading. */
  onChunk?(bytes: number): Admission;
}

/** Bytes read so far, as sent (before decompression). */
interface ReadProgress {
  compressedBytes: number;
}

/** The body's chunks as Buffers, counted and limited as sent. */
async function* counted(
  body: AsyncIterable<Uint8Array | string>,
  limit: number,
  progress: ReadProgress,
): AsyncGenerator<Buffer> {
  // Leave a Readable request undestroyed on early return, so a response can still be written.
  const iterable =
    body instanceof Readable ? body.iterator({ destroyOnReturn: false }) : body;
  for await (const chunk of iterable) {
    const buffer = toBuffer(chunk);
    progress.compressedBytes += buffer.length;
    if (progress.compressedBytes > limit)
      throw new BodyTooLargeError(limit, true);
    yield buffer;
  }
}

/**
 * Reads the body, inflating it as a stream so the limit applies to the decompressed size and a
 * compression bomb is stopped after `maxBytes` bytes; the bytes as sent are limited too (many
 * empty gzip members inflate to nothing). Each decompressed chunk is announced to `onChunk`
 * before it is kept. The request stream is left undestroyed but not drained.
 */
async function readBody(
  body: AsyncIterable<Uint8Array | string>,
  decompressor: (() => NodeJS.ReadWriteStream) | null,
  limits: ReadLimits,
  progress: ReadProgress,
): Promise<Body> {
  const chunks: Buffer[] = [];
  let total = 0;
  const collect = (buffer: Buffer) => {
    total += buffer.length;
    if (total > limits.maxBytes)
      throw new BodyTooLargeError(limits.maxBytes, false);
    const admission = limits.onChunk?.(buffer.length);
    if (admission && !admission.admitted)
      throw new ReservationRefusedError(admission);
    chunks.push(buffer);
  };
  const source = counted(body, limits.maxCompressedBytes, progress);

  if (!decompressor) {
    for await (const chunk of source) collect(chunk);
  } else {
    const readable = Readable.from(source, { objectMode: false });
    const inflater = decompressor() as unknown as Readable &
      NodeJS.WritableStream;
    const forwardError = (e: Error) => inflater.destroy(e);
    readable.on('error', forwardError);
    readable.pipe(inflater);
    try {
      for await (const chunk of inflater) collect(toBuffer(chunk));
    } finally {
      readable.unpipe(inflater);
      readable.off('error', forwardError);
      readable.destroy();
      inflater.destroy();
    }
  }
  const buffer = Buffer.allocUnsafe(total + 1);
  let pos = 0;
  for (const chunk of chunks) pos += chunk.copy(buffer, pos);
  buffer[total] = 0;
  return { buffer, length: total };
}

/**
 * Bounds the requests being read and decoded at once: each holds a slot from the first body
 * byte to the pipeline's answer; others wait in a bounded queue for a limited time.
 */
class DecodeSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    private readonly maxQueued: number,
    private readonly timeoutMs: number,
  ) {}

  /** 'now' or 'waited' with a slot (release it later), or 'busy' without one. */
  acquire(): 'now' | Promise<'waited' | 'busy'> | 'busy' {
    if (this.active < this.max) {
      this.active++;
      return 'now';
    }
    if (this.waiting.length >= this.maxQueued) return 'busy';
    return new Promise(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const grant = () => {
        clearTimeout(timer);
        resolve('waited');
      };
      timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve('busy');
      }, this.timeoutMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes to the next waiter as is.
    if (next) next();
    else this.active--;
  }
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

const REJECTION_REASONS = {
  service: 'without a non-empty service.name resource attribute',
  traceId: 'with a trace id that is not 16 bytes or is all zeros',
  spanId: 'with a span id that is not 8 bytes or is all zeros',
  parentSpanId: 'with a parent span id that is neither empty nor 8 bytes',
} as const;
type RejectionReason = keyof typeof REJECTION_REASONS;

function isValidId(id: Uint8Array | null | undefined, length: number): boolean {
  if (!id || id.length !== length) return false;
  for (let i = 0; i < length; i++) if (id[i] !== 0) return true;
  return false;
}

function rejectionOf(span: Span): RejectionReason | undefined {
  if (!isValidId(span.traceId, 16)) return 'traceId';
  if (!isValidId(span.spanId, 8)) return 'spanId';
  const parent = span.parentSpanId;
  if (parent && parent.length !== 0 && parent.length !== 8)
    return 'parentSpanId';
  return undefined;
}

interface Validated {
  kept: ResourceSpans[];
  keptSpans: number;
  rejected: Map<RejectionReason, number>;
}

/** Drops spans the OTLP spec or our model cannot carry; copies span arrays only when it drops. */
export function validateResourceSpans(
  resourceSpans: ResourceSpans[],
): Validated {
  const rejected = new Map<RejectionReason, number>();
  const reject = (reason: RejectionReason, n: number) =>
    rejected.set(reason, (rejected.get(reason) ?? 0) + n);
  const kept: ResourceSpans[] = [];
  let keptSpans = 0;
  for (const rs of resourceSpans) {
    const n = countSpans([rs]);
    if (n === 0) continue;
    if (!serviceNameOf(rs.resource)) {
      reject('service', n);
      continue;
    }
    let keptHere = 0;
    for (const ss of rs.scopeSpans ?? []) {
      const spans = ss.spans ?? [];
      let firstBad = -1;
      for (let i = 0; i < spans.length; i++) {
        if (rejectionOf(spans[i])) {
          firstBad = i;
          break;
        }
      }
      if (firstBad === -1) {
        keptHere += spans.length;
        continue;
      }
      const good = spans.slice(0, firstBad);
      for (let i = firstBad; i < spans.length; i++) {
        const reason = rejectionOf(spans[i]);
        if (reason) reject(reason, 1);
        else good.push(spans[i]);
      }
      ss.spans = good;
      keptHere += good.length;
    }
    if (keptHere > 0) {
      kept.push(rs);
      keptSpans += keptHere;
    }
  }
  return { kept, keptSpans, rejected };
}

function rejectionMessage(rejected: Map<RejectionReason, number>): string {
  const parts = [...rejected].map(
    ([reason, n]) =>
      `${n} ${n === 1 ? 'span' : 'spans'} ${REJECTION_REASONS[reason]}`,
  );
  return `rejected ${parts.join('; ')}`;
}

function statusBody(
  format: OtlpFormat,
  status: number,
  message: string,
): Buffer {
  const code = RPC_CODES[status] ?? 2;
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const text = Buffer.from(message, 'utf8');
  const header: number[] = [0x08, code, 0x12];
  let n = text.length;
  while (n >= 128) {
    header.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  header.push(n);
  return Buffer.concat([Buffer.from(header), text]);
}

function errorResponse(
  format: OtlpFormat,
  status: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): OtlpHttpResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPES[format], ...extraHeaders },
    body: statusBody(format, status, message),
  };
}

function refusal(
  format: OtlpFormat,
  admission: Extract<Admission, { admitted: false }>,
  extraHeaders: Record<string, string> = {},
): OtlpHttpResponse {
  const headers: Record<string, string> =
    admission.retryAfterSeconds !== undefined
      ? { 'retry-after': String(admission.retryAfterSeconds), ...extraHeaders }
      : extraHeaders;
  return errorResponse(format, admission.status, admission.message, headers);
}

function successResponse(
  format: OtlpFormat,
  rejectedSpans: number,
  message?: string,
): OtlpHttpResponse {
  const partialSuccess =
    rejectedSpans > 0 ? { rejectedSpans, errorMessage: message } : undefined;
  const body =
    format === 'json'
      ? Buffer.from(
          JSON.stringify(
            partialSuccess
              ? {
                  partialSuccess: {
                    ...partialSuccess,
                    rejectedSpans: String(rejectedSpans),
                  },
                }
              : {},
          ),
        )
      : Buffer.from(
          ExportTraceServiceResponseCodec.encode({ partialSuccess }).finish(),
        );
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[format] },
    body,
  };
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
    const resourceSpans = decode(body, format);
    const receivedSpans = countSpans(resourceSpans);
    const { kept, keptSpans, rejected } = validateResourceSpans(resourceSpans);
    return {
      batch: {
        resourceSpans: kept,
        spanCount: keptSpans,
        bytes: shareOfBytes(body.length * perByte, keptSpans, receivedSpans),
      },
      receivedSpans,
      rejectedSpans: receivedSpans - keptSpans,
      rejectionMessage: rejected.size ? rejectionMessage(rejected) : undefined,
      format,
      reservation,
    };
  }
}
