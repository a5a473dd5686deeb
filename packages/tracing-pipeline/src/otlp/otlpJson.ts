import {
  AnyValue,
  Int64,
  InstrumentationScope,
  KeyValue,
  LongLike,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
} from './model';

/**
 * OTLP/JSON (OTLP 1.x "JSON Protobuf Encoding"): proto3 JSON mapping with lowerCamelCase keys,
 * trace and span ids as hex strings, enums as integers, 64-bit integers as decimal strings or
 * numbers, bytes as base64. Unknown keys are ignored. Parsing is strict about types and names the
 * offending path, e.g. `resourceSpans[0].scopeSpans[0].spans[3].traceId: invalid hex string`.
 */

export class OtlpJsonError extends Error {}

type Json = Record<string, unknown>;

const MAX_DEPTH = 32;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DECIMAL = /^-?\d+$/;
/**
 * The longest decimal string accepted for an integer field: 2^64 has 20 digits; a sign and some
 * leading zeros fit too. Checked before any parsing, because `BigInt()` takes quadratic time in
 * the number of digits (a 32-million-digit time blocked the process for 18 s).
 */
export const MAX_INTEGER_STRING_LENGTH = 32;
const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/**
 * Where a value sits, e.g. `resourceSpans[0].scopeSpans[1]`; undefined on the first, fast pass,
 * which builds no path strings. A failure there is parsed again with paths to name the spot.
 */
type Path = string | undefined;

const at = (path: Path, key: string): Path =>
  path === undefined ? undefined : `${path}.${key}`;
const index = (path: Path, i: number): Path =>
  path === undefined ? undefined : `${path}[${i}]`;

class FastPassFailure extends Error {}

function fail(path: Path, message: string): never {
  if (path === undefined) throw new FastPassFailure(message);
  throw new OtlpJsonError(`${path}: ${message}`);
}

function object(v: unknown, path: Path): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    fail(path, 'must be an object');
  return v as Json;
}

function array(v: unknown, path: Path): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}

function list<T>(
  v: unknown,
  path: Path,
  item: (v: unknown, path: Path) => T,
): T[] {
  const values = array(v, path);
  if (!values) return [];
  const out = new Array<T>(values.length);
  for (let i = 0; i < values.length; i++)
    out[i] = item(values[i], index(path, i));
  return out;
}

function string(v: unknown, path: Path): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(path, 'must be a string');
  return v;
}

function boolean(v: unknown, path: Path): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(path, 'must be a boolean');
  return v;
}

function tooLong(v: unknown, path: Path): void {
  if (typeof v === 'string' && v.length > MAX_INTEGER_STRING_LENGTH)
    fail(
      path,
      `integer string too long (${v.length} characters, at most ${MAX_INTEGER_STRING_LENGTH})`,
    );
}

function uint32(v: unknown, path: Path): number | undefined {
  if (v === undefined || v === null) return undefined;
  tooLong(v, path);
  const n = typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
    fail(path, 'must be an unsigned 32-bit integer');
  return n;
}

function enumValue(
  v: unknown,
  path: Path,
  names: Record<string, number>,
): number | undefined {
  if (typeof v === 'string' && v in names) return names[v];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v))
    fail(path, 'must be an enum integer');
  return v;
}

/** A LongLike (what the protobuf encoder accepts for 64-bit fields) for values beyond 2^53. */
class BigIntLong implements LongLike {
  readonly low: number;
  readonly high: number;
  constructor(private readonly value: bigint, readonly unsigned: boolean) {
    const bits = BigInt.asUintN(64, value);
    this.low = Number(bits & 0xffffffffn) | 0;
    this.high = Number(bits >> 32n) | 0;
  }
  toNumber(): number {
    return Number(this.value);
  }
  toString(): string {
    return this.value.toString();
  }
}

function int64(v: unknown, path: Path, unsigned: boolean): Int64 | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || (unsigned && v < 0))
      fail(path, 'must be a 64-bit integer');
    return v;
  }
  tooLong(v, path);
  if (
    typeof v !== 'string' ||
    !DECIMAL.test(v) ||
    (unsigned && v.startsWith('-'))
  )
    fail(
      path,
      `must be a${
        unsigned ? 'n unsigned' : ''
      } 64-bit integer (number or decimal string)`,
    );
  const n = Number(v);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(v);
  if (unsigned ? big >= 2n ** 64n : big < -(2n ** 63n) || big >= 2n ** 63n)
    fail(path, 'out of 64-bit range');
  return new BigIntLong(big, unsigned);
}

function double(v: unknown, path: Path): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)))
    return Number(v);
  return fail(path, 'must be a number');
}

function hexId(v: unknown, path: Path): Uint8Array | undefined {
  const s = string(v, path);
  if (s === undefined) return undefined;
  // Buffer.from stops at the first non-hex pair, so a short result means invalid input.
  const bytes = Buffer.from(s, 'hex');
  if (s.length % 2 !== 0 || bytes.length * 2 !== s.length)
    fail(path, 'invalid hex string');
  return bytes;
}

function base64(v: unknown, path: Path): Uint8Array | undefined {
  const s = string(v, path);
  if (s === undefined) return undefined;
  if (!BASE64.test(s)) fail(path, 'invalid base64 string');
  return Buffer.from(
    s,
    s.includes('-') || s.includes('_') ? 'base64url' : 'base64',
  );
}

function hasOnlyKey(o: Json, key: string): boolean {
  for (const k in o) if (k !== key) return false;
  return true;
}

function anyValue(v: unknown, path: Path, depth: number): AnyValue | undefined {
  const o = object(v, path);
  if (!o) return undefined;
  // The common case, `{"stringValue": "..."}`, is already in model shape: keep the parsed object.
  if (typeof o.stringValue === 'string' && hasOnlyKey(o, 'stringValue'))
    return o as AnyValue;
  if (depth > MAX_DEPTH) fail(path, 'nested too deeply');
  if (o.stringValue !== undefined && o.stringValue !== null)
    return { stringValue: string(o.stringValue, at(path, 'stringValue')) };
  if (o.boolValue !== undefined && o.boolValue !== null)
    return { boolValue: boolean(o.boolValue, at(path, 'boolValue')) };
  if (o.intValue !== undefined && o.intValue !== null)
    return { intValue: int64(o.intValue, at(path, 'intValue'), false) };
  if (o.doubleValue !== undefined && o.doubleValue !== null)
    return { doubleValue: double(o.doubleValue, at(path, 'doubleValue')) };
  if (o.arrayValue !== undefined && o.arrayValue !== null) {
    const a = object(o.arrayValue, at(path, 'arrayValue'))!;
    return {
      arrayValue: {
        values: list(
          a.values,
          at(path, 'arrayValue.values'),
          (x, p) => anyValue(x, p, depth + 1) ?? {},
        ),
      },
    };
  }
  if (o.kvlistValue !== undefined && o.kvlistValue !== null) {
    const kv = object(o.kvlistValue, at(path, 'kvlistValue'))!;
    return {
      kvlistValue: {
        values: keyValues(kv.values, at(path, 'kvlistValue.values'), depth + 1),
      },
    };
  }
  if (o.bytesValue !== undefined && o.bytesValue !== null)
    return { bytesValue: base64(o.bytesValue, at(path, 'bytesValue')) };
  return {};
}

function keyValues(v: unknown, path: Path, depth = 0): KeyValue[] {
  return list(v, path, (x, p) => {
    const o = object(x, p);
    if (!o) fail(p, 'must be an object');
    const key = string(o.key, at(p, 'key')) ?? '';
    const value = anyValue(o.value, at(p, 'value'), depth);
    if (typeof o.key === 'string' && o.value === value) {
      let extra = false;
      for (const k in o) if (k !== 'key' && k !== 'value') extra = true;
      if (!extra) return o as KeyValue;
    }
    return { key, value };
  });
}

function resource(v: unknown, path: Path): Resource | undefined {
  const o = object(v, path);
  if (!o) return undefined;
  return {
    attributes: keyValues(o.attributes, at(path, 'attributes')),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      at(path, 'droppedAttributesCount'),
    ),
  };
}

function scope(v: unknown, path: Path): InstrumentationScope | undefined {
  const o = object(v, path);
  if (!o) return undefined;
  return {
    name: string(o.name, at(path, 'name')),
    version: string(o.version, at(path, 'version')),
    attributes: keyValues(o.attributes, at(path, 'attributes')),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      at(path, 'droppedAttributesCount'),
    ),
  };
}

function event(v: unknown, path: Path): SpanEvent {
  const o = object(v, path) ?? fail(path, 'must be an object');
  return {
    timeUnixNano: int64(o.timeUnixNano, at(path, 'timeUnixNano'), true),
    name: string(o.name, at(path, 'name')),
    attributes: keyValues(o.attributes, at(path, 'attributes')),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      at(path, 'droppedAttributesCount'),
    ),
  };
}

function link(v: unknown, path: Path): SpanLink {
  const o = object(v, path) ?? fail(path, 'must be an object');
  return {
    traceId: hexId(o.traceId, at(path, 'traceId')),
    spanId: hexId(o.spanId, at(path, 'spanId')),
    traceState: string(o.traceState, at(path, 'traceState')),
    attributes: keyValues(o.attributes, at(path, 'attributes')),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      at(path, 'droppedAttributesCount'),
    ),
    flags: uint32(o.flags, at(path, 'flags')),
  };
}

function span(v: unknown, path: Path): Span {
  const o = object(v, path) ?? fail(path, 'must be an object');
  const status = object(o.status, at(path, 'status'));
  return {
    traceId: hexId(o.traceId, at(path, 'traceId')),
    spanId: hexId(o.spanId, at(path, 'spanId')),
    traceState: string(o.traceState, at(path, 'traceState')),
    parentSpanId: hexId(o.parentSpanId, at(path, 'parentSpanId')),
    flags: uint32(o.flags, at(path, 'flags')),
    name: string(o.name, at(path, 'name')),
    kind: enumValue(o.kind, at(path, 'kind'), SPAN_KINDS),
    startTimeUnixNano: int64(
      o.startTimeUnixNano,
      at(path, 'startTimeUnixNano'),
      true,
    ),
    endTimeUnixNano: int64(
      o.endTimeUnixNano,
      at(path, 'endTimeUnixNano'),
      true,
    ),
    attributes: keyValues(o.attributes, at(path, 'attributes')),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      at(path, 'droppedAttributesCount'),
    ),
    events: list(o.events, at(path, 'events'), event),
    droppedEventsCount: uint32(
      o.droppedEventsCount,
      at(path, 'droppedEventsCount'),
    ),
    links: list(o.links, at(path, 'links'), link),
    droppedLinksCount: uint32(
      o.droppedLinksCount,
      at(path, 'droppedLinksCount'),
    ),
    status: status && {
      message: string(status.message, at(path, 'status.message')),
      code: enumValue(status.code, at(path, 'status.code'), STATUS_CODES),
    },
  };
}

function scopeSpans(v: unknown, path: Path): ScopeSpans {
  const o = object(v, path) ?? fail(path, 'must be an object');
  return {
    scope: scope(o.scope, at(path, 'scope')),
    spans: list(o.spans, at(path, 'spans'), span),
    schemaUrl: string(o.schemaUrl, at(path, 'schemaUrl')),
  };
}

function resourceSpans(v: unknown, path: Path): ResourceSpans {
  const o = object(v, path) ?? fail(path, 'must be an object');
  return {
    resource: resource(o.resource, at(path, 'resource')),
    scopeSpans: list(o.scopeSpans, at(path, 'scopeSpans'), scopeSpans),
    schemaUrl: string(o.schemaUrl, at(path, 'schemaUrl')),
  };
}

/** Parses an OTLP/JSON `ExportTraceServiceRequest` into the model; throws {@link OtlpJsonError}. */
export function parseExportRequestJson(text: string): ResourceSpans[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new OtlpJsonError(`invalid JSON: ${(e as Error).message}`);
  }
  const walk = (path: Path) => {
    const root =
      object(parsed, path === undefined ? undefined : '(root)') ??
      fail(path && '(root)', 'must be an object');
    return list(root.resourceSpans, path, resourceSpans);
  };
  try {
    return walk(undefined);
  } catch (e) {
    if (!(e instanceof FastPassFailure)) throw e;
    walk('resourceSpans');
    throw new OtlpJsonError(e.message);
  }
}

// ---- model → OTLP/JSON (for the fallback file) ----

function hex(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes && bytes.length
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
        'hex',
      )
    : undefined;
}

function int64Json(v: Int64 | null | undefined): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

function anyValueJson(v: AnyValue | null | undefined): Json {
  if (!v) return {};
  if (v.stringValue !== null && v.stringValue !== undefined)
    return { stringValue: v.stringValue };
  if (v.boolValue !== null && v.boolValue !== undefined)
    return { boolValue: v.boolValue };
  if (v.intValue !== null && v.intValue !== undefined)
    return { intValue: int64Json(v.intValue) };
  if (v.doubleValue !== null && v.doubleValue !== undefined)
    return { doubleValue: v.doubleValue };
  if (v.arrayValue)
    return {
      arrayValue: { values: (v.arrayValue.values ?? []).map(anyValueJson) },
    };
  if (v.kvlistValue)
    return { kvlistValue: { values: keyValuesJson(v.kvlistValue.values) } };
  if (v.bytesValue)
    return { bytesValue: Buffer.from(v.bytesValue).toString('base64') };
  return {};
}

function keyValuesJson(kvs: KeyValue[] | null | undefined): Json[] {
  return (kvs ?? []).map(kv => ({
    key: kv.key ?? '',
    value: anyValueJson(kv.value),
  }));
}

function spanJson(s: Span): Json {
  return {
    traceId: hex(s.traceId),
    spanId: hex(s.spanId),
    traceState: s.traceState || undefined,
    parentSpanId: hex(s.parentSpanId),
    flags: s.flags || undefined,
    name: s.name ?? '',
    kind: s.kind ?? 0,
    startTimeUnixNano: int64Json(s.startTimeUnixNano),
    endTimeUnixNano: int64Json(s.endTimeUnixNano),
    attributes: keyValuesJson(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount || undefined,
    events: (s.events ?? []).map(e => ({
      timeUnixNano: int64Json(e.timeUnixNano),
      name: e.name ?? '',
      attributes: keyValuesJson(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount || undefined,
    })),
    droppedEventsCount: s.droppedEventsCount || undefined,
    links: (s.links ?? []).map(l => ({
      traceId: hex(l.traceId),
      spanId: hex(l.spanId),
      traceState: l.traceState || undefined,
      attributes: keyValuesJson(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount || undefined,
      flags: l.flags || undefined,
    })),
    droppedLinksCount: s.droppedLinksCount || undefined,
    status: s.status
      ? { message: s.status.message || undefined, code: s.status.code ?? 0 }
      : undefined,
  };
}

/** Serializes resource spans as an OTLP/JSON `ExportTraceServiceRequest` (one line, no newline). */
export function stringifyExportRequestJson(
  resourceSpansList: ResourceSpans[],
): string {
  return JSON.stringify({
    resourceSpans: resourceSpansList.map(rs => ({
      resource: rs.resource
        ? {
            attributes: keyValuesJson(rs.resource.attributes),
            droppedAttributesCount:
              rs.resource.droppedAttributesCount || undefined,
          }
        : undefined,
      scopeSpans: (rs.scopeSpans ?? []).map(ss => ({
        scope: ss.scope
          ? {
              name: ss.scope.name ?? '',
              version: ss.scope.version || undefined,
              attributes: keyValuesJson(ss.scope.attributes),
            }
          : undefined,
        spans: (ss.spans ?? []).map(spanJson),
        schemaUrl: ss.schemaUrl || undefined,
      })),
      schemaUrl: rs.schemaUrl || undefined,
    })),
  });
}
