import {
  AnyValue,
  InstrumentationScope,
  KeyValue,
  Resource,
  SPAN_KIND,
  Span,
} from '../otlp/model';
import { SpanCodec } from '../otlp/otlpRoot';
import { SpanArena } from './spanArena';
import { SpanSummary, summarizeSpan, summarizeSpanBytes } from './spanSummary';

/**
 * Where a span came from: its resource and scope. One per `ScopeSpans` of an incoming batch,
 * shared by all its spans. Only the resource and scope objects are held, never the
 * `ResourceSpans`/`ScopeSpans` of the batch (which would keep every other span of that batch
 * alive).
 */
export interface SpanOrigin {
  resource: Resource | null | undefined;
  resourceSchemaUrl: string | null | undefined;
  scope: InstrumentationScope | null | undefined;
  scopeSchemaUrl: string | null | undefined;
  /** `service.name` of the resource, or `unknown_service`. */
  service: string;
}

/**
 * A span while the sampler holds it: either its protobuf message bytes in a `SpanArena` (a
 * reference and two numbers, about a sixth of the memory of the decoded span, which is an
 * object per attribute and value, a Buffer per id and a Long per timestamp) or the decoded
 * object itself. Nothing else is kept until the trace is decided.
 */
export class HeldSpan {
  private constructor(
    readonly origin: SpanOrigin,
    private readonly source: Span | Uint8Array,
    private readonly offset: number,
    private readonly length: number,
  ) {}

  /** Holds the decoded span object as it is. */
  static decoded(origin: SpanOrigin, span: Span): HeldSpan {
    return new HeldSpan(origin, span, 0, 0);
  }

  /** Holds the bytes `arena` stored last (see `SpanArena.store`). */
  static stored(origin: SpanOrigin, arena: SpanArena): HeldSpan {
    return new HeldSpan(origin, arena.buffer, arena.offset, arena.length);
  }

  summarize(): SpanSummary {
    return this.source instanceof Uint8Array
      ? summarizeSpanBytes(this.source, this.offset, this.offset + this.length)
      : summarizeSpan(this.source);
  }

  /** The span as an object (decoded from its bytes when held as bytes). */
  decode(): Span {
    return this.source instanceof Uint8Array
      ? SpanCodec.decode(
          this.source.subarray(this.offset, this.offset + this.length),
        )
      : this.source;
  }
}

/** OTLP span flags: bit 8 says bit 9 is known; bit 9 says the parent is remote. */
const PARENT_IS_REMOTE = 0x300;

function findIn(
  attributes: KeyValue[] | null | undefined,
  key: string,
): AnyValue | undefined {
  if (!attributes) return undefined;
  for (let i = 0; i < attributes.length; i++) {
    if (attributes[i].key === key) return attributes[i].value ?? undefined;
  }
  return undefined;
}

/**
 * What policies see of one span of the trace being decided: its summary, its attributes (the
 * span is decoded on the first lookup) and the span itself for forwarding.
 */
export class SpanView {
  readonly name: string;
  readonly traceState: string;
  readonly statusCode: number;
  /** A span with no parent: the trace's root. */
  readonly isRoot: boolean;
  /**
   * A span where a service's part of a trace starts: SERVER or CONSUMER kind, or a remote parent
   * (per the OTLP flags). Used as stand-ins for the root when the root has not been seen.
   */
  readonly isEntry: boolean;
  readonly startNs: number;
  readonly endNs: number;
  readonly origin: SpanOrigin;
  private decoded: Span | undefined;

  constructor(private readonly held: HeldSpan) {
    const summary = held.summarize();
    this.name = summary.name;
    this.traceState = summary.traceState;
    this.statusCode = summary.statusCode;
    this.isRoot = summary.isRoot;
    this.isEntry =
      summary.kind === SPAN_KIND.SERVER ||
      summary.kind === SPAN_KIND.CONSUMER ||
      (summary.flags & PARENT_IS_REMOTE) === PARENT_IS_REMOTE;
    this.startNs = summary.startNs;
    this.endNs = summary.endNs;
    this.origin = held.origin;
  }

  get durationNs(): number {
    return this.endNs - this.startNs;
  }

  /** The span's own attribute (not its resource's). */
  attribute(key: string): AnyValue | undefined {
    return findIn(this.toSpan().attributes, key);
  }

  /** The span as an object, decoded once. */
  toSpan(): Span {
    this.decoded ??= this.held.decode();
    return this.decoded;
  }
}

/** A span's attribute, falling back to its resource's. */
export function findAttribute(
  span: Pick<SpanView, 'attribute' | 'origin'>,
  key: string,
): AnyValue | undefined {
  return span.attribute(key) ?? findIn(span.origin.resource?.attributes, key);
}
