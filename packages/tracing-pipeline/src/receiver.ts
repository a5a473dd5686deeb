import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Admission } from './memoryLimiter';
import { ResourceSpans, serviceNameOf, Span, SpanBatch } from './model';
import { OtlpJsonError, parseExportRequestJson } from './otlpJson';
import { ExportTraceServiceResponseCodec } from './otlpRoot';
import { countSpans, shareOfBytes } from './spanBatch';
import { decodeExportRequest } from './wire';

export interface OtlpHttpRequest {
  /** The Content-Type header (parameters allowed). */
  contentType?: string | null;
  /** The Content-Encoding header: gzip, deflate, br, identity or none. */
  contentEncoding?: string | null;
  /** The raw request body, e.g. the Node/express request stream itself. */
  body: AsyncIterable<Uint8Array | string>;
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
}

export interface ReceiverOptions {
  /** Limit on the body after decompression. */
  maxBodyBytes: number;
  /**
   * Asked before the body is read: a refusal here (memory already above its soft limit) is
   * answered at once, without spending CPU on decoding spans that cannot be taken anyway.
   */
  precheck?(): Admission;
  /** Takes the valid spans, or refuses them as a whole (memory pressure). May throw on bugs only. */
  accept(decoded: DecodedExport): Admission;
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

class BodyTooLargeError extends Error {}

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

/**
 * Reads the body, inflating it as a stream so the limit applies to the decompressed size and a
 * compression bomb is stopped after `limit` bytes. The request stream is left undestroyed (so a
 * response can still be written) but not drained.
 */
/** A request body with one spare byte after it (see decodeExportRequest). */
interface Body {
  buffer: Buffer;
  length: number;
}

/**
 * Reads the body, inflating it as a stream so the limit applies to the decompressed size and a
 * compression bomb is stopped after `limit` bytes. The request stream is left undestroyed (so a
 * response can still be written) but not drained.
 */
async function readBody(
  body: AsyncIterable<Uint8Array | string>,
  decompressor: (() => NodeJS.ReadWriteStream) | null,
  limit: number,
): Promise<Body> {
  const chunks: Buffer[] = [];
  let total = 0;
  const collect = (chunk: Uint8Array | string) => {
    const buffer = toBuffer(chunk);
    total += buffer.length;
    if (total > limit) throw new BodyTooLargeError();
    chunks.push(buffer);
  };

  if (!decompressor) {
    const iterable =
      body instanceof Readable
        ? body.iterator({ destroyOnReturn: false })
        : body;
    for await (const chunk of iterable) collect(chunk);
  } else {
    const source = body instanceof Readable ? body : Readable.from(body);
    const inflater = decompressor() as unknown as Readable &
      NodeJS.WritableStream;
    const forwardError = (e: Error) => inflater.destroy(e);
    source.on('error', forwardError);
    source.pipe(inflater);
    try {
      for await (const chunk of inflater) collect(chunk);
    } finally {
      source.unpipe(inflater);
      source.off('error', forwardError);
      inflater.destroy();
    }
  }
  const buffer = Buffer.allocUnsafe(total + 1);
  let pos = 0;
  for (const chunk of chunks) pos += chunk.copy(buffer, pos);
  buffer[total] = 0;
  return { buffer, length: total };
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
): OtlpHttpResponse {
  const headers: Record<string, string> =
    admission.retryAfterSeconds !== undefined
      ? { 'retry-after': String(admission.retryAfterSeconds) }
      : {};
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

/**
 * OTLP/HTTP 1.x trace receiver without a web framework: protobuf and JSON, gzip/deflate/br,
 * a decompressed-size limit, per-span validation answered with partialSuccess, and refusals
 * from the memory limiter answered with 429/503 + Retry-After. Bad input never yields a 5xx.
 */
export class OtlpHttpReceiver {
  constructor(private readonly options: ReceiverOptions) {}

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
    const early = this.options.precheck?.();
    if (early && !early.admitted) return refusal(format, early);

    let decoded: DecodedExport;
    try {
      decoded = await this.read(request, format, decompressor);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        return errorResponse(
          format,
          413,
          `request body exceeds ${this.options.maxBodyBytes} bytes after decompression`,
          { connection: 'close' },
        );
      }
      const message =
        e instanceof BadRequestError
          ? e.message
          : `could not read request body: ${(e as Error)?.message ?? e}`;
      return errorResponse(format, 400, message);
    }

    let admission: Admission;
    try {
      admission =
        decoded.receivedSpans > 0
          ? this.options.accept(decoded)
          : { admitted: true };
    } catch {
      return errorResponse(format, 500, 'internal error while accepting spans');
    }
    if (!admission.admitted) return refusal(format, admission);
    return successResponse(
      format,
      decoded.rejectedSpans,
      decoded.rejectionMessage,
    );
  }

  private async read(
    request: OtlpHttpRequest,
    format: OtlpFormat,
    decompressor: (() => NodeJS.ReadWriteStream) | null,
  ): Promise<DecodedExport> {
    const body = await readBody(
      request.body,
      decompressor,
      this.options.maxBodyBytes,
    );
    const resourceSpans = decode(body, format);
    const receivedSpans = countSpans(resourceSpans);
    const { kept, keptSpans, rejected } = validateResourceSpans(resourceSpans);
    return {
      batch: {
        resourceSpans: kept,
        spanCount: keptSpans,
        bytes: shareOfBytes(
          body.length * MEMORY_PER_WIRE_BYTE[format],
          keptSpans,
          receivedSpans,
        ),
      },
      receivedSpans,
      rejectedSpans: receivedSpans - keptSpans,
      rejectionMessage: rejected.size ? rejectionMessage(rejected) : undefined,
      format,
    };
  }
}
