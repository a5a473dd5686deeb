/**
 * The in-memory shape of OTLP trace data as the protobuf codec produces it and as every stage
 * passes it along. JSON input is normalised into the same shape, so stages see one model.
 * Ids are bytes (16 for trace ids, 8 for span ids); 64-bit times are Long-like or numbers.
 */

/** protobufjs represents int64/fixed64 as Long when the `long` package is present. */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toNumber(): number;
  toString(): string;
}
export type Int64 = number | LongLike;

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

export interface Resource {
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface InstrumentationScope {
  name?: string | null;
  version?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface SpanEvent {
  timeUnixNano?: Int64 | null;
  name?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface SpanLink {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
}

/** Status codes of `Status.code`. */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Span kinds of `Span.kind`. */
export const SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export interface Span {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  parentSpanId?: Uint8Array | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64 | null;
  endTimeUnixNano?: Int64 | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  events?: SpanEvent[] | null;
  droppedEventsCount?: number | null;
  links?: SpanLink[] | null;
  droppedLinksCount?: number | null;
  status?: { message?: string | null; code?: number | null } | null;
}

export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans?: Span[] | null;
  schemaUrl?: string | null;
}

export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans?: ScopeSpans[] | null;
  schemaUrl?: string | null;
}

export interface ExportTraceServiceRequest {
  resourceSpans?: ResourceSpans[] | null;
}

export interface ExportTraceServiceResponse {
  partialSuccess?: {
    rejectedSpans?: Int64 | null;
    errorMessage?: string | null;
  } | null;
}

/**
 * The unit that flows between stages after the receiver: validated resource spans, with the
 * number of spans and an estimate of the bytes they hold (used by the memory limiter).
 *
 * The exporter re-sends the received bytes of a ResourceSpans that is forwarded as the same
 * object with the same scope and span arrays. A stage that changes anything inside such an
 * object in place must forward new ResourceSpans objects instead, or call `markModified(rs)`
 * from `wire.ts`.
 */
export interface SpanBatch {
  resourceSpans: ResourceSpans[];
  spanCount: number;
  bytes: number;
}

/** Set to something: neither null nor undefined (protobufjs leaves unset fields as either). */
export function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** The `service.name` resource attribute, or undefined when absent or not a string. */
export function serviceNameOf(
  resource: Resource | null | undefined,
): string | undefined {
  const attr = resource?.attributes?.find(a => a.key === 'service.name');
  const v = attr?.value?.stringValue;
  return v ? v : undefined;
}

export function bytesToHex(bytes: Uint8Array | null | undefined): string {
  return bytes
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
        'hex',
      )
    : '';
}

/** Where a stage sends what it keeps and reports what it does not. */
export interface StageOutputs {
  /** Passes kept spans downstream (now or later, e.g. after a tail-sampling wait). */
  forward(batch: SpanBatch): void;
  /** Reports spans the stage will never forward, with a reason label for the accounting. */
  drop(spans: number, bytes: number, reason: string): void;
}

/**
 * A stage that may hold spans for a while (tail sampling). The pipeline counts what it holds
 * against the memory limiter and asks it to flush on shutdown.
 */
export interface HoldingStage {
  consume(batch: SpanBatch): void;
  held(): { spans: number; bytes: number };
  /** Decides everything held now and forwards/drops it. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}
