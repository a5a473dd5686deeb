import {
  AnyValue,
  InstrumentationScope,
  Resource,
  ResourceSpans,
  ScopeSpans,
  STATUS_CODE,
  Span,
  SpanBatch,
  int64ToNumber,
} from '../otlp/model';
import {
  Randomness,
  Threshold,
  isSampled,
  maxThreshold,
  parseOtTraceState,
  traceIdRandomness,
} from './consistent';
import { HeldSpan, SpanOrigin, SpanView } from './heldSpan';

export { HeldSpan, SpanView, findAttribute } from './heldSpan';
export type { SpanOrigin } from './heldSpan';

/** The `service.name` used for spans whose resource has none (as the OTel SDKs do). */
export const UNKNOWN_SERVICE = 'unknown_service';

/** The spans of one trace the sampler has seen so far, each with where it came from. */
export interface TraceData {
  /** The trace's map key (see `traceKey`). */
  readonly key: string;
  readonly traceId: Uint8Array;
  spans: HeldSpan[];
  /** Estimated bytes (each span's share of its batch's `bytes`). */
  bytes: number;
  /** Clock time (ms) the first span arrived. */
  firstSeenMs: number;
}

/**
 * The map key of a 16-byte trace id (its bytes as a 16-character latin1 string: cheaper to
 * build and hash than hex), or undefined when the id is not 16 bytes.
 */
export function traceKey(
  traceId: Uint8Array | null | undefined,
): string | undefined {
  if (!traceId || traceId.length !== 16) return undefined;
  return String.fromCharCode(
    traceId[0],
    traceId[1],
    traceId[2],
    traceId[3],
    traceId[4],
    traceId[5],
    traceId[6],
    traceId[7],
    traceId[8],
    traceId[9],
    traceId[10],
    traceId[11],
    traceId[12],
    traceId[13],
    traceId[14],
    traceId[15],
  );
}

/** A string attribute value (only `stringValue`). */
export function stringOf(value: AnyValue | undefined): string | undefined {
  const v = value?.stringValue;
  return typeof v === 'string' ? v : undefined;
}

/** A numeric attribute value (`intValue` or `doubleValue`). */
export function numberOf(value: AnyValue | undefined): number | undefined {
  if (!value) return undefined;
  if (value.intValue !== null && value.intValue !== undefined)
    return int64ToNumber(value.intValue);
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  return undefined;
}

/** Whether an attribute value equals a configured string, number or boolean. */
export function attributeEquals(
  value: AnyValue | undefined,
  expected: string | number | boolean,
): boolean {
  if (!value) return false;
  switch (typeof expected) {
    case 'string':
      return value.stringValue === expected;
    case 'boolean':
      return value.boolValue === expected;
    default:
      return numberOf(value) === expected;
  }
}

/**
 * What policies look at: a trace's spans and, computed once on demand, its randomness, its
 * incoming threshold, its duration and whether it has an error.
 */
export class TraceView {
  private randomnessValue?: Randomness;
  private incoming?: Threshold | null;
  private durationValue?: number;
  private errorValue?: boolean;
  private views?: SpanView[];

  constructor(
    readonly data: TraceData,
    private readonly onInconsistentThreshold?: () => void,
  ) {}

  get spanCount(): number {
    return this.data.spans.length;
  }

  /** Calls `fn` for every span until it returns true; returns whether it did. */
  some(fn: (span: SpanView, origin: SpanOrigin) => boolean): boolean {
    const views = this.spans();
    for (let i = 0; i < views.length; i++) {
      if (fn(views[i], views[i].origin)) return true;
    }
    return false;
  }

  /** The trace's spans as policies see them (summarized once, when first asked for). */
  spans(): SpanView[] {
    this.views ??= this.data.spans.map(held => new SpanView(held));
    return this.views;
  }

  /** `rv` from any span's tracestate, else the trace id's low 56 bits. */
  get randomness(): Randomness {
    if (!this.randomnessValue) {
      let rv: Randomness | undefined;
      this.some(span => {
        rv = parseOtTraceState(span.traceState).randomness;
        return rv !== undefined;
      });
      this.randomnessValue = rv ?? traceIdRandomness(this.data.traceId);
    }
    return this.randomnessValue;
  }

  /**
   * The strictest `th` the spans arrived with (SDK or upstream consistent sampling), or
   * undefined. A threshold the trace's randomness does not pass is inconsistent and ignored.
   */
  get incomingThreshold(): Threshold | undefined {
    if (this.incoming === undefined) {
      let found: Threshold | undefined;
      let last: string | null | undefined;
      this.some(span => {
        if (span.traceState && span.traceState !== last) {
          last = span.traceState;
          const th = parseOtTraceState(span.traceState).threshold;
          if (th) found = found ? maxThreshold(found, th) : th;
        }
        return false;
      });
      if (found && !isSampled(this.randomness, found)) {
        this.onInconsistentThreshold?.();
        found = undefined;
      }
      this.incoming = found ?? null;
    }
    return this.incoming ?? undefined;
  }

  /** From the earliest start to the latest end, in milliseconds. */
  get durationMs(): number {
    if (this.durationValue === undefined) {
      let min = Infinity;
      let max = -Infinity;
      this.some(span => {
        if (span.startNs < min) min = span.startNs;
        if (span.endNs > max) max = span.endNs;
        return false;
      });
      this.durationValue = max > min ? (max - min) / 1e6 : 0;
    }
    return this.durationValue;
  }

  get hasError(): boolean {
    if (this.errorValue === undefined) {
      this.errorValue = this.some(
        span => span.statusCode === STATUS_CODE.ERROR,
      );
    }
    return this.errorValue;
  }
}

/**
 * Collects decided spans and builds one outgoing batch, regrouping them under their original
 * resource and scope objects.
 */
export class BatchBuilder {
  private readonly resources = new Map<
    unknown,
    { rs: ResourceSpans; scopes: Map<unknown, ScopeSpans> }
  >();
  private readonly out: ResourceSpans[] = [];
  private lastOrigin: SpanOrigin | undefined;
  private lastTarget: Span[] | undefined;
  spanCount = 0;
  bytes = 0;

  private static readonly NONE = {};

  /** Adds one span; its bytes are added separately with `addBytes`. */
  add(origin: SpanOrigin, span: Span): void {
    if (origin !== this.lastOrigin) {
      this.lastOrigin = origin;
      this.lastTarget = this.targetOf(origin);
    }
    this.lastTarget!.push(span);
    this.spanCount++;
  }

  addBytes(bytes: number): void {
    this.bytes += bytes;
  }

  private targetOf(origin: SpanOrigin): Span[] {
    const rKey = origin.resource ?? BatchBuilder.NONE;
    let r = this.resources.get(rKey);
    if (!r) {
      const rs: ResourceSpans = { resource: origin.resource, scopeSpans: [] };
      if (origin.resourceSchemaUrl) rs.schemaUrl = origin.resourceSchemaUrl;
      r = { rs, scopes: new Map() };
      this.resources.set(rKey, r);
      this.out.push(rs);
    }
    const sKey = origin.scope ?? BatchBuilder.NONE;
    let ss = r.scopes.get(sKey);
    if (!ss) {
      ss = { scope: origin.scope, spans: [] };
      if (origin.scopeSchemaUrl) ss.schemaUrl = origin.scopeSchemaUrl;
      r.scopes.set(sKey, ss);
      r.rs.scopeSpans!.push(ss);
    }
    return ss.spans!;
  }

  build(): SpanBatch | undefined {
    if (this.spanCount === 0) return undefined;
    return {
      resourceSpans: this.out,
      spanCount: this.spanCount,
      bytes: Math.round(this.bytes),
    };
  }
}

/** Builds trace data from spans under resources (tests and tools). */
export function traceDataOf(
  traceId: Uint8Array,
  groups: Array<{
    resource?: Resource;
    scope?: InstrumentationScope;
    spans: Span[];
  }>,
  firstSeenMs = 0,
): TraceData {
  const spans: HeldSpan[] = [];
  for (const g of groups) {
    const origin: SpanOrigin = {
      resource: g.resource,
      resourceSchemaUrl: undefined,
      scope: g.scope,
      scopeSchemaUrl: undefined,
      service: serviceOf(g.resource),
    };
    for (const span of g.spans) spans.push(HeldSpan.decoded(origin, span));
  }
  return {
    key: traceKey(traceId) ?? '',
    traceId,
    spans,
    bytes: 0,
    firstSeenMs,
  };
}

/** `service.name` of a resource, or `unknown_service`. */
export function serviceOf(resource: Resource | null | undefined): string {
  const attrs = resource?.attributes;
  if (attrs) {
    for (let i = 0; i < attrs.length; i++) {
      if (attrs[i].key === 'service.name') {
        const v = attrs[i].value?.stringValue;
        return v ? v : UNKNOWN_SERVICE;
      }
    }
  }
  return UNKNOWN_SERVICE;
}
