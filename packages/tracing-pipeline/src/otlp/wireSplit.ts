import { createReader, ProtobufReader, WireFormatError } from './otlpRoot';
import { TAG_1, TAG_2 } from './receivedBytes';
import { expectEnd, lengthDelimited } from './wire';
import { varintLength } from './wireEncoder';

/** A range of the body: a whole field, its tag and length included. */
type Range = [start: number, end: number];

interface ScopeSpansRanges {
  scope?: Range;
  schemaUrl?: Range;
  /** Per span: its field's range, then its owner. */
  spans: number[];
}

interface ResourceSpansRanges {
  resource?: Range;
  schemaUrl?: Range;
  scopes: ScopeSpansRanges[];
}

/** One owner's part of a body: an `ExportTraceServiceRequest` of its spans, and their count. */
export interface BodyPart {
  bytes: Buffer;
  spans: number;
}

const WIRE_LEN = 2;

function fieldRange(
  reader: ProtobufReader,
  start: number,
  limit: number,
): Range {
  const end = lengthDelimited(reader, limit);
  reader.pos = end;
  return [start, end];
}

/** The trace id of the span whose message is body[start, end), without decoding the rest. */
function traceIdOf(
  reader: ProtobufReader,
  body: Buffer,
  end: number,
): Uint8Array | undefined {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const idEnd = lengthDelimited(reader, end);
      return body.subarray(reader.pos, idEnd);
    }
    reader.skipType(tag & 7);
  }
  return undefined;
}

/**
 * Reads a ResourceSpans or ScopeSpans message (they share a layout: field 1 the resource or
 * scope, field 2 repeated children, field 3 the schema URL) up to `end`; each child's field is
 * handed to `child` (its start, where its message starts and ends). Other fields are left out.
 */
function readFields(
  reader: ProtobufReader,
  end: number,
  child: (start: number, childEnd: number) => void,
): { first?: Range; third?: Range } {
  const fields: { first?: Range; third?: Range } = {};
  while (reader.pos < end) {
    const start = reader.pos;
    const tag = reader.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE_LEN || field < 1 || field > 3) {
      reader.skipType(tag & 7);
      continue;
    }
    if (field === 2) {
      const childEnd = lengthDelimited(reader, end);
      child(start, childEnd);
      reader.pos = childEnd;
    } else if (field === 1) fields.first = fieldRange(reader, start, end);
    else fields.third = fieldRange(reader, start, end);
  }
  return fields;
}

function readScopeSpans(
  reader: ProtobufReader,
  body: Buffer,
  end: number,
  ownerOf: (traceId: Uint8Array | undefined) => number,
  counts: number[],
): ScopeSpansRanges {
  const spans: number[] = [];
  const { first, third } = readFields(reader, end, (start, spanEnd) => {
    const owner = ownerOf(traceIdOf(reader, body, spanEnd));
    spans.push(start, spanEnd, owner);
    counts[owner]++;
  });
  return { scope: first, schemaUrl: third, spans };
}

function readResourceSpans(
  reader: ProtobufReader,
  body: Buffer,
  end: number,
  ownerOf: (traceId: Uint8Array | undefined) => number,
  counts: number[],
): ResourceSpansRanges {
  const scopes: ScopeSpansRanges[] = [];
  const { first, third } = readFields(reader, end, (_, scopeEnd) => {
    scopes.push(readScopeSpans(reader, body, scopeEnd, ownerOf, counts));
    expectEnd(reader, scopeEnd, 'scope spans');
  });
  return { resource: first, schemaUrl: third, scopes };
}

const rangeLength = (r: Range | undefined) => (r ? r[1] - r[0] : 0);

function writeHeader(out: Buffer, pos: number, tag: number, size: number) {
  let at = pos;
  out[at++] = tag;
  let v = size;
  while (v >= 128) {
    out[at++] = v % 128 | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

/** One owner's part: its spans with the resources and scopes they came in, copied. */
function assemble(
  body: Buffer,
  resources: ResourceSpansRanges[],
  owner: number,
): Buffer {
  const scopeSize = (scope: ScopeSpansRanges) => {
    let size = rangeLength(scope.scope) + rangeLength(scope.schemaUrl);
    let any = false;
    for (let i = 0; i < scope.spans.length; i += 3)
      if (scope.spans[i + 2] === owner) {
        size += scope.spans[i + 1] - scope.spans[i];
        any = true;
      }
    return any ? size : -1;
  };
  const plan = resources.map(rs => {
    const scopes = rs.scopes.map(scopeSize);
    let size = rangeLength(rs.resource) + rangeLength(rs.schemaUrl);
    let any = false;
    for (const s of scopes)
      if (s >= 0) {
        size += 1 + varintLength(s) + s;
        any = true;
      }
    return { scopes, size: any ? size : -1 };
  });
  let total = 0;
  for (const p of plan)
    if (p.size >= 0) total += 1 + varintLength(p.size) + p.size;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const copy = (r: Range | undefined) => {
    if (r) pos += body.copy(out, pos, r[0], r[1]);
  };
  resources.forEach((rs, i) => {
    const { scopes, size } = plan[i];
    if (size < 0) return;
    pos = writeHeader(out, pos, TAG_1, size);
    copy(rs.resource);
    rs.scopes.forEach((scope, j) => {
      if (scopes[j] < 0) return;
      pos = writeHeader(out, pos, TAG_2, scopes[j]);
      copy(scope.scope);
      for (let k = 0; k < scope.spans.length; k += 3)
        if (scope.spans[k + 2] === owner)
          pos += body.copy(out, pos, scope.spans[k], scope.spans[k + 1]);
      copy(scope.schemaUrl);
    });
    copy(rs.schemaUrl);
  });
  return out;
}

/**
 * Splits an OTLP protobuf `ExportTraceServiceRequest` (body[0, length)) among `owners` owners by
 * each span's trace id (`ownerOf`), without decoding the spans: only the framing and each span's
 * trace id are read. Each owner's part is assembled from the received bytes: its spans, and the
 * resources and scopes they came with, copied as they came (fields the OTLP messages do not
 * define are left out). Undefined where an owner gets no span; when one owner gets every span,
 * its part is the body itself. Throws WireFormatError when the framing is malformed.
 */
export function splitExportRequestBytes(
  body: Buffer,
  length: number,
  owners: number,
  ownerOf: (traceId: Uint8Array | undefined) => number,
): (BodyPart | undefined)[] {
  const reader = createReader(body);
  reader.len = length;
  const counts = new Array<number>(owners).fill(0);
  const resources: ResourceSpansRanges[] = [];
  while (reader.pos < length) {
    const tag = reader.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== WIRE_LEN) {
      reader.skipType(tag & 7);
      continue;
    }
    const end = lengthDelimited(reader, length);
    resources.push(readResourceSpans(reader, body, end, ownerOf, counts));
    expectEnd(reader, end, 'resource spans');
  }
  if (reader.pos !== length)
    throw new WireFormatError(`malformed request ending at offset ${length}`);
  const spans = counts.reduce((a, b) => a + b, 0);
  return counts.map((n, owner) => {
    if (n === 0) return undefined;
    if (n === spans) return { bytes: body.subarray(0, length), spans: n };
    return { bytes: assemble(body, resources, owner), spans: n };
  });
}
