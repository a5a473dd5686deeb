import {
  AnyValue,
  InstrumentationScope,
  KeyValue,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
} from './model';
import {
  at,
  base64,
  boolean,
  double,
  enumValue,
  fail,
  FastPassFailure,
  hasOnlyKey,
  hexId,
  int64,
  list,
  object,
  OtlpJsonError,
  Path,
  string,
  uint32,
} from './otlpJsonValues';

export { MAX_INTEGER_STRING_LENGTH, OtlpJsonError } from './otlpJsonValues';
export { stringifyExportRequestJson } from './otlpJsonStringify';

/**
 * OTLP/JSON (OTLP 1.x "JSON Protobuf Encoding"): proto3 JSON mapping with lowerCamelCase keys,
 * trace and span ids as hex strings, enums as integers, 64-bit integers as decimal strings or
 * numbers, bytes as base64. Unknown keys are ignored. Parsing is strict about types and names the
 * offending path, e.g. `resourceSpans[0].scopeSpans[0].spans[3].traceId: invalid hex string`.
 */

const MAX_DEPTH = 32;
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
