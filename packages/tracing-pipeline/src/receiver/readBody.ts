// Reading an OTLP/HTTP request body as it streams in: decompressed, limited as sent and after
// decompression, each chunk announced to the memory reservation before it is kept.
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Admission } from './memoryLimiter';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number, readonly compressed: boolean) {
    super(
      compressed
        ? `request body exceeds ${limit} bytes as sent`
        : `request body exceeds ${limit} bytes after decompression`,
    );
  }
}

/** The memory reservation refused to grow while the body was being read. */
export class ReservationRefusedError extends Error {
  constructor(readonly admission: Extract<Admission, { admitted: false }>) {
    super(admission.message);
  }
}

/** The decompressor of a Content-Encoding: null for none, undefined for one we do not take. */
export function decompressorFor(contentEncoding: string | null | undefined) {
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
export interface Body {
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
export interface ReadProgress {
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
export async function readBody(
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
