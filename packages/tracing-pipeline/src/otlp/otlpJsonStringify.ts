// The model as OTLP/JSON, for the fallback file (one ExportTraceServiceRequest per line).
import { AnyValue, Int64, KeyValue, ResourceSpans, Span } from './model';

type Json = Record<string, unknown>;

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
