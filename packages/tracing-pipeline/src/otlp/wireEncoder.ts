import { ResourceSpans, Span } from './model';
import { InstrumentationScopeCodec, ResourceCodec } from './otlpRoot';
import {
  Received,
  RECEIVED,
  sameStructure,
  TAG_1,
  TAG_2,
  TAG_3,
  WithReceived,
} from './receivedBytes';
import { SpanEncoder } from './spanEncoder';

/**
 * Encoding side of wire.ts: a ResourceSpans no stage touched is copied verbatim from the received
 * bytes; one whose spans were partly changed gets its resource, scopes and changed spans encoded
 * afresh and the other spans copied; anything else is encoded normally.
 */

export function varintLength(value: number): number {
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
