import { ResourceSpans, ScopeSpans, Span } from './model';
import { createReader, ResourceSpansCodec } from './otlpRoot';

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

/**
 * Decodes an `ExportTraceServiceRequest`; throws on malformed input. Stricter than the generated
 * decoder: a ResourceSpans whose content runs past its own end is refused, so the bytes kept for
 * re-use always decode to the same thing wherever they are framed. (protobufjs reads nested
 * messages without checking their parent's bounds, and clamps strings at the end of the buffer;
 * one spare byte after the body makes that clamp visible too.)
 */
export function decodeExportRequest(body: Uint8Array): ResourceSpans[] {
  const length = body.length;
  const padded = Buffer.allocUnsafe(length + 1);
  padded.set(body);
  padded[length] = 0;
  const result: ResourceSpans[] = [];
  const reader = createReader(padded);
  while (reader.pos < length) {
    const tagAt = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === 0) throw new WireFormatError(`invalid field number 0 at offset ${tagAt}`);
    if (tag === RESOURCE_SPANS_TAG) {
      const size = reader.uint32();
      const start = reader.pos;
      const end = start + size;
      if (end > length) throw new WireFormatError(`truncated message at offset ${start}`);
      const rs = ResourceSpansCodec.decode(reader, size);
      if (reader.pos !== end) throw new WireFormatError(`malformed message at offset ${start}`);
      receivedEncodings.set(rs, fingerprint(rs, padded.subarray(start, end)));
      result.push(rs);
    } else {
      reader.skipType(tag & 7);
      if (reader.pos > length) throw new WireFormatError(`truncated field at offset ${tagAt}`);
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
