import { ResourceSpans, ScopeSpans, Span } from './model';
import {
  createReader,
  InstrumentationScopeCodec,
  ProtobufReader,
  ResourceCodec,
  SpanCodec,
  WireFormatError,
} from './otlpRoot';
import { SpanEncoder } from './spanEncoder';

/**
 * Protobuf framing of `ExportTraceServiceRequest` that re-uses received bytes.
 *
 * Decoding remembers where every ResourceSpans and every Span lay in the request. Encoding then
 * writes a ResourceSpans that no stage touched back verbatim, and for one whose spans were
 * partly changed (the sanitizer marks what it changes) re-encodes only the resource, the scopes
 * and the changed spans, copying the others. Anything it cannot vouch for (new or rearranged
 * objects) is encoded normally.
 */

interface ReceivedScope {
  scopeSpans: ScopeSpans;
  /** The spans as decoded, in order. */
  spans: Span[];
  /** Start and end of each span's bytes in `buffer`. */
  offsets: number[];
}

interface Received {
  buffer: Buffer;
  start: number;
  end: number;
  resource: ResourceSpans['resource'];
  scopeSpans: ScopeSpans[];
  scopes: ReceivedScope[];
  /** The resource or a scope changed in place. */
  headerModified: boolean;
  /** Spans changed in place. */
  modifiedSpans?: Set<Span>;
}

const RECEIVED = Symbol('tracing-health.received');
type WithReceived = ResourceSpans & { [RECEIVED]?: Received };

// Field 1/2/3, wire type 2 (length-delimited).
const TAG_1 = 0x0a;
const TAG_2 = 0x12;
const TAG_3 = 0x1a;

export { WireFormatError };

function expectEnd(reader: ProtobufReader, end: number, what: string) {
  if (reader.pos !== end)
    throw new WireFormatError(`malformed ${what} ending at offset ${end}`);
}

function lengthDelimited(reader: ProtobufReader, limit: number): number {
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

/** Something inside this ResourceSpans changed in place: encode all of it afresh. */
export function markModified(rs: ResourceSpans): void {
  delete (rs as WithReceived)[RECEIVED];
}

/** This span (of this ResourceSpans) changed in place: encode it afresh, re-use the rest. */
export function markSpanModified(rs: ResourceSpans, span: Span): void {
  const received = (rs as WithReceived)[RECEIVED];
  if (received) (received.modifiedSpans ??= new Set()).add(span);
}

/** The resource or a scope of this ResourceSpans changed in place; its spans did not. */
export function markResourceModified(rs: ResourceSpans): void {
  const received = (rs as WithReceived)[RECEIVED];
  if (received) received.headerModified = true;
}

/**
 * The received bytes of the spans of one ScopeSpans, for stages that keep spans as bytes (the
 * tail sampler). A span's bytes can be used only while `unchanged` says so.
 */
export class ReceivedSpans {
  constructor(
    private readonly received: Received,
    private readonly scope: ReceivedScope,
  ) {}

  get buffer(): Buffer {
    return this.received.buffer;
  }

  /** Whether `span`, now at index `i` of the spans, is the span that arrived there, unchanged. */
  unchanged(i: number, span: Span): boolean {
    return (
      this.scope.spans[i] === span && !this.received.modifiedSpans?.has(span)
    );
  }

  /** Start of the span's message bytes (without its tag and length) in `buffer`. */
  start(i: number): number {
    return this.scope.offsets[2 * i];
  }

  end(i: number): number {
    return this.scope.offsets[2 * i + 1];
  }
}

/** The received bytes of `ss`'s spans, when `ss` arrived as protobuf inside `rs`. */
export function receivedSpansOf(
  rs: ResourceSpans,
  ss: ScopeSpans,
): ReceivedSpans | undefined {
  const received = (rs as WithReceived)[RECEIVED];
  if (!received) return undefined;
  for (const scope of received.scopes) {
    if (scope.scopeSpans === ss) return new ReceivedSpans(received, scope);
  }
  return undefined;
}

function sameStructure(rs: ResourceSpans, received: Received): boolean {
  const scopes = received.scopeSpans;
  if (rs.scopeSpans !== scopes || scopes.length !== received.scopes.length)
    return false;
  if (rs.resource !== received.resource) return false;
  for (let i = 0; i < scopes.length; i++) {
    const r = received.scopes[i];
    if (scopes[i] !== r.scopeSpans) return false;
    const spans = scopes[i].spans;
    if (!spans || spans.length !== r.spans.length) return false;
    for (let j = 0; j < spans.length; j++)
      if (spans[j] !== r.spans[j]) return false;
  }
  return true;
}

function varintLength(value: number): number {
  let rest = value;
  let n = 1;
  while (rest >= 128) {
    rest = Math.floor(rest / 128);
    n++;
  }
  return n;
}

const framed = (size: number) => 1 + varintLength(size) + size;

/**
 * Where the received span `j` starts as a ScopeSpans field, tag and length included, when that
 * header is exactly what encoding it afresh would write (so copying it keeps the sizes computed
 * with `framed` right); -1 otherwise. The header was parsed right before the span, so only a
 * length sent as a padded (over-long) varint differs, and then the byte where the tag would be
 * is a varint continuation byte (high bit set), never the tag.
 */
function receivedFieldStart(
  buffer: Buffer,
  offsets: number[],
  j: number,
): number {
  const start = offsets[2 * j];
  const headerStart = start - 1 - varintLength(offsets[2 * j + 1] - start);
  return headerStart >= 0 && buffer[headerStart] === TAG_2 ? headerStart : -1;
}

/** One piece of output: a header, fresh bytes, bytes copied from a received buffer, or a span to encode. */
type Piece =
  | { tag: number; size: number }
  | { bytes: Uint8Array }
  | { buffer: Buffer; start: number; end: number }
  | { span: Span };

class Output {
  private readonly pieces: Piece[] = [];
  private readonly spans = new SpanEncoder();
  size = 0;

  header(tag: number, size: number) {
    this.pieces.push({ tag, size });
    this.size += 1 + varintLength(size);
  }
  bytes(bytes: Uint8Array) {
    this.pieces.push({ bytes });
    this.size += bytes.length;
  }
  copy(buffer: Buffer, start: number, end: number) {
    this.pieces.push({ buffer, start, end });
    this.size += end - start;
  }
  /** Sizes a span now; call `span` with it next, in the same order. */
  spanSize(span: Span): number {
    return this.spans.size(span);
  }
  span(span: Span, size: number) {
    this.pieces.push({ span });
    this.size += size;
  }

  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    let pos = 0;
    for (const piece of this.pieces) {
      if ('tag' in piece) {
        out[pos++] = piece.tag;
        let v = piece.size;
        while (v >= 128) {
          out[pos++] = v % 128 | 0x80;
          v = Math.floor(v / 128);
        }
        out[pos++] = v;
      } else if ('bytes' in piece) {
        out.set(piece.bytes, pos);
        pos += piece.bytes.length;
      } else if ('span' in piece) {
        pos = this.spans.write(piece.span, out, pos);
      } else {
        pos += piece.buffer.copy(out, pos, piece.start, piece.end);
      }
    }
    return out;
  }
}

const utf8 = (s: string | null | undefined) =>
  s ? Buffer.from(s, 'utf8') : undefined;

/**
 * Writes a ResourceSpans field: resource, scopes and schema URLs encoded afresh; each span copied
 * from the received bytes when `received` vouches for it, encoded otherwise.
 */
function writeAssembled(out: Output, rs: ResourceSpans, received?: Received) {
  const resource = rs.resource
    ? ResourceCodec.encode(rs.resource).finish()
    : undefined;
  const schemaUrl = utf8(rs.schemaUrl);
  const scopes = (rs.scopeSpans ?? []).map((ss, i) => {
    const r = received?.scopes[i];
    const scope = ss.scope
      ? InstrumentationScopeCodec.encode(ss.scope).finish()
      : undefined;
    const spans = (ss.spans ?? []).map((span, j) =>
      r && !received!.modifiedSpans?.has(span)
        ? ~(r.offsets[2 * j + 1] - r.offsets[2 * j])
        : out.spanSize(span),
    );
    const ssSchemaUrl = utf8(ss.schemaUrl);
    let size =
      (scope ? framed(scope.length) : 0) +
      (ssSchemaUrl ? framed(ssSchemaUrl.length) : 0);
    for (const s of spans) size += framed(s < 0 ? ~s : s);
    return { ss, scope, spans, ssSchemaUrl, size, offsets: r?.offsets };
  });
  let size =
    (resource ? framed(resource.length) : 0) +
    (schemaUrl ? framed(schemaUrl.length) : 0);
  for (const s of scopes) size += framed(s.size);

  out.header(TAG_1, size);
  if (resource) {
    out.header(TAG_1, resource.length);
    out.bytes(resource);
  }
  for (const s of scopes) {
    out.header(TAG_2, s.size);
    if (s.scope) {
      out.header(TAG_1, s.scope.length);
      out.bytes(s.scope);
    }
    const spans = s.ss.spans ?? [];
    const sizes = s.spans;
    for (let j = 0; j < sizes.length; j++) {
      if (sizes[j] >= 0) {
        out.header(TAG_2, sizes[j]);
        out.span(spans[j], sizes[j]);
        continue;
      }
      // ~size (negative) marks a span copied from the received bytes. A run of such spans that
      // lie back to back in the request, field headers included, is copied in one piece.
      const buffer = received!.buffer;
      const offsets = s.offsets!;
      const runStart = receivedFieldStart(buffer, offsets, j);
      if (runStart < 0) {
        out.header(TAG_2, ~sizes[j]);
        out.copy(buffer, offsets[2 * j], offsets[2 * j + 1]);
        continue;
      }
      let last = j;
      while (
        last + 1 < sizes.length &&
        sizes[last + 1] < 0 &&
        receivedFieldStart(buffer, offsets, last + 1) === offsets[2 * last + 1]
      )
        last++;
      out.copy(buffer, runStart, offsets[2 * last + 1]);
      j = last;
    }
    if (s.ssSchemaUrl) {
      out.header(TAG_3, s.ssSchemaUrl.length);
      out.bytes(s.ssSchemaUrl);
    }
  }
  if (schemaUrl) {
    out.header(TAG_3, schemaUrl.length);
    out.bytes(schemaUrl);
  }
}

function writeResourceSpans(out: Output, rs: ResourceSpans) {
  const received = (rs as WithReceived)[RECEIVED];
  if (received && sameStructure(rs, received)) {
    if (!received.headerModified && !received.modifiedSpans) {
      out.header(TAG_1, received.end - received.start);
      out.copy(received.buffer, received.start, received.end);
    } else {
      writeAssembled(out, rs, received);
    }
  } else {
    writeAssembled(out, rs);
  }
}

/**
 * Encodes one ResourceSpans as it appears inside an `ExportTraceServiceRequest` (field 1, with
 * its tag and length), so requests can be put together by concatenating such pieces.
 */
export function encodeResourceSpansField(rs: ResourceSpans): Buffer {
  const out = new Output();
  writeResourceSpans(out, rs);
  return out.finish();
}

/** Encodes an `ExportTraceServiceRequest`, re-using received bytes where it safely can. */
export function encodeExportRequest(resourceSpans: ResourceSpans[]): Buffer {
  const out = new Output();
  for (const rs of resourceSpans) writeResourceSpans(out, rs);
  return out.finish();
}
