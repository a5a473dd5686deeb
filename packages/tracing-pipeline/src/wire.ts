import { ResourceSpans, ScopeSpans, Span } from './model';
import { ResourceSpansCodec } from './otlpRoot';

/**
 * Protobuf framing of `ExportTraceServiceRequest` (`repeated ResourceSpans resource_spans = 1`).
 *
 * Decoding remembers the received bytes of every ResourceSpans; encoding writes those bytes
 * back verbatim when the ResourceSpans is still the same object with the same scopes and span
 * arrays, and no stage called {@link markModified} on it. That skips re-serializing the bulk of
 * the traffic, which the sanitizer leaves untouched.
 */

interface ReceivedEncoding {
  bytes: Uint8Array;
  scopeSpans: ScopeSpans[] | null | undefined;
  spanArrays: (Span[] | null | undefined)[];
  spanLengths: number[];
}

const receivedEncodings = new WeakMap<ResourceSpans, ReceivedEncoding>();

const RESOURCE_SPANS_TAG = (1 << 3) | 2;

export class WireFormatError extends Error {}

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireFormatError(`truncated varint at offset ${pos}`);
    const byte = buf[pos++];
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return [value, pos];
    multiplier *= 128;
  }
  throw new WireFormatError(`varint too long at offset ${pos}`);
}

function skipField(buf: Uint8Array, wireType: number, pos: number): number {
  switch (wireType) {
    case 0:
      return readVarint(buf, pos)[1];
    case 1:
      return pos + 8;
    case 2: {
      const [length, next] = readVarint(buf, pos);
      return next + length;
    }
    case 5:
      return pos + 4;
    default:
      throw new WireFormatError(`invalid wire type ${wireType} at offset ${pos}`);
  }
}

function fingerprint(rs: ResourceSpans, bytes: Uint8Array): ReceivedEncoding {
  const scopes = rs.scopeSpans ?? [];
  return {
    bytes,
    scopeSpans: rs.scopeSpans,
    spanArrays: scopes.map(s => s.spans),
    spanLengths: scopes.map(s => s.spans?.length ?? 0),
  };
}

function unchanged(rs: ResourceSpans, enc: ReceivedEncoding): boolean {
  const scopes = rs.scopeSpans;
  if (scopes !== enc.scopeSpans) return false;
  const n = scopes?.length ?? 0;
  if (n !== enc.spanArrays.length) return false;
  for (let i = 0; i < n; i++) {
    const spans = scopes![i].spans;
    if (spans !== enc.spanArrays[i] || (spans?.length ?? 0) !== enc.spanLengths[i]) return false;
  }
  return true;
}

/** Decodes an `ExportTraceServiceRequest`; throws on malformed input. */
export function decodeExportRequest(body: Uint8Array): ResourceSpans[] {
  const result: ResourceSpans[] = [];
  let pos = 0;
  while (pos < body.length) {
    const [tag, afterTag] = readVarint(body, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new WireFormatError(`invalid field number 0 at offset ${pos}`);
    if (field === 1 && wireType === 2) {
      const [length, start] = readVarint(body, afterTag);
      const end = start + length;
      if (end > body.length) throw new WireFormatError(`truncated message at offset ${start}`);
      const bytes = body.subarray(start, end);
      const rs = ResourceSpansCodec.decode(bytes);
      receivedEncodings.set(rs, fingerprint(rs, bytes));
      result.push(rs);
      pos = end;
    } else {
      pos = skipField(body, wireType, afterTag);
      if (pos > body.length) throw new WireFormatError(`truncated field at offset ${afterTag}`);
    }
  }
  return result;
}

/**
 * Tells the encoder that something inside this ResourceSpans changed in place (attributes,
 * names, ids...), so its received bytes must not be re-used. Replacing arrays or the object
 * itself is detected without it.
 */
export function markModified(rs: ResourceSpans): void {
  receivedEncodings.delete(rs);
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function writeVarint(out: Buffer, value: number, pos: number): number {
  while (value >= 128) {
    out[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

function encodedResourceSpans(rs: ResourceSpans): Uint8Array {
  const received = receivedEncodings.get(rs);
  if (received && unchanged(rs, received)) return received.bytes;
  return ResourceSpansCodec.encode(rs).finish();
}

/** Encodes an `ExportTraceServiceRequest`, re-using received bytes where it safely can. */
export function encodeExportRequest(resourceSpans: ResourceSpans[]): Buffer {
  const parts = resourceSpans.map(encodedResourceSpans);
  let total = 0;
  for (const part of parts) total += 1 + varintLength(part.length) + part.length;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const part of parts) {
    out[pos++] = RESOURCE_SPANS_TAG;
    pos = writeVarint(out, part.length, pos);
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}
