import { ResourceSpans, ScopeSpans, Span } from './model';

/**
 * What decoding (wire.ts) remembers of the received bytes of each ResourceSpans, so that encoding
 * (wireEncoder.ts) can re-use them, and what stages tell it when they change something in place.
 */

export interface ReceivedScope {
  scopeSpans: ScopeSpans;
  /** The spans as decoded, in order. */
  spans: Span[];
  /** Start and end of each span's bytes in `buffer`. */
  offsets: number[];
}

export interface Received {
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

export const RECEIVED = Symbol('tracing-health.received');
export type WithReceived = ResourceSpans & { [RECEIVED]?: Received };

// Field 1/2/3, wire type 2 (length-delimited).
export const TAG_1 = 0x0a;
export const TAG_2 = 0x12;
export const TAG_3 = 0x1a;

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
