import { ResourceSpans, ScopeSpans } from './model';
import {
  createReader,
  InstrumentationScopeCodec,
  ProtobufReader,
  ResourceCodec,
  SpanCodec,
  WireFormatError,
} from './otlpRoot';
import {
  Received,
  RECEIVED,
  ReceivedScope,
  WithReceived,
} from './receivedBytes';

/**
 * Protobuf framing of `ExportTraceServiceRequest` that re-uses received bytes.
 *
 * Decoding remembers where every ResourceSpans and every Span lay in the request. Encoding (wireEncoder.ts) then
 * writes a ResourceSpans that no stage touched back verbatim, and for one whose spans were
 * partly changed (the sanitizer marks what it changes) re-encodes only the resource, the scopes
 * and the changed spans, copying the others. Anything it cannot vouch for (new or rearranged
 * objects) is encoded normally. What is remembered, and how stages report changes: receivedBytes.ts.
 */

export { WireFormatError };
export {
  markModified,
  markResourceModified,
  markSpanModified,
  ReceivedSpans,
  receivedSpansOf,
} from './receivedBytes';
export { encodeExportRequest, encodeResourceSpansField } from './wireEncoder';

export function expectEnd(reader: ProtobufReader, end: number, what: string) {
  if (reader.pos !== end)
    throw new WireFormatError(`malformed ${what} ending at offset ${end}`);
}

/** Reads a length; the end of the length-delimited field it starts, within `limit`. */
export function lengthDelimited(reader: ProtobufReader, limit: number): number {
  const size = reader.uint32();
  const end = reader.pos + size;
  if (end > limit)
    throw new WireFormatError(`truncated message at offset ${reader.pos}`);
  return end;
}

// Mirrors the generated ScopeSpans.decode, recording where each span lies.
function decodeScopeSpans(
  reader: ProtobufReader,
  end: number,
  scopes: ReceivedScope[],
): ScopeSpans {
  const ss: ScopeSpans = { scope: undefined, spans: [], schemaUrl: undefined };
  const spans = ss.spans!;
  const offsets: number[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: {
        const scopeEnd = lengthDelimited(reader, end);
        ss.scope = InstrumentationScopeCodec.decode(
          reader,
          scopeEnd - reader.pos,
        );
        expectEnd(reader, scopeEnd, 'scope');
        break;
      }
      case 2: {
        const spanEnd = lengthDelimited(reader, end);
        const spanStart = reader.pos;
        spans.push(SpanCodec.decode(reader, spanEnd - spanStart));
        expectEnd(reader, spanEnd, 'span');
        offsets.push(spanStart, spanEnd);
        break;
      }
      case 3:
        ss.schemaUrl = reader.string();
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  scopes.push({ scopeSpans: ss, spans: spans.slice(), offsets });
  return ss;
}

// Mirrors the generated ResourceSpans.decode.
function decodeResourceSpans(
  reader: ProtobufReader,
  buffer: Buffer,
  end: number,
): ResourceSpans {
  const start = reader.pos;
  const rs: WithReceived = {
    resource: undefined,
    scopeSpans: [],
    schemaUrl: undefined,
  };
  const scopes: ReceivedScope[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1: {
        const resourceEnd = lengthDelimited(reader, end);
        rs.resource = ResourceCodec.decode(reader, resourceEnd - reader.pos);
        expectEnd(reader, resourceEnd, 'resource');
        break;
      }
      case 2: {
        const scopeEnd = lengthDelimited(reader, end);
        rs.scopeSpans!.push(decodeScopeSpans(reader, scopeEnd, scopes));
        expectEnd(reader, scopeEnd, 'scope spans');
        break;
      }
      case 3:
        rs.schemaUrl = reader.string();
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  expectEnd(reader, end, 'resource spans');
  Object.defineProperty(rs, RECEIVED, {
    value: {
      buffer,
      start,
      end,
      resource: rs.resource,
      scopeSpans: rs.scopeSpans!,
      scopes,
      headerModified: false,
    } satisfies Received,
    configurable: true,
  });
  return rs;
}

function padded(body: Uint8Array, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length + 1);
  buffer.set(body.subarray(0, length));
  buffer[length] = 0;
  return buffer;
}

/**
 * Decodes the first `length` bytes of `body` as an `ExportTraceServiceRequest` (a body with a
 * spare byte after `length` saves a copy); throws on malformed input. Stricter than the generated
 * decoder: a nested message whose content runs past its own end is refused, so re-used bytes
 * always decode to the same thing wherever they are framed. (protobufjs does not check nested
 * bounds and clamps strings at the end of the buffer; a spare byte after the body makes that
 * clamp visible too.)
 */
export function decodeExportRequest(
  body: Uint8Array,
  length = body.length,
): ResourceSpans[] {
  const buffer =
    length < body.length && Buffer.isBuffer(body) ? body : padded(body, length);
  const reader = createReader(buffer);
  const result: ResourceSpans[] = [];
  while (reader.pos < length) {
    const tagAt = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === 0)
      throw new WireFormatError(`invalid field number 0 at offset ${tagAt}`);
    if (tag >>> 3 === 1) {
      const end = lengthDelimited(reader, length);
      result.push(decodeResourceSpans(reader, buffer, end));
    } else {
      reader.skipType(tag & 7);
      if (reader.pos > length)
        throw new WireFormatError(`truncated field at offset ${tagAt}`);
    }
  }
  return result;
}
