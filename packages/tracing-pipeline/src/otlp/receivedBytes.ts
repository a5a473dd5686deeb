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

/** Whether `rs` still has the resource, scopes and spans (same objects, same order) it arrived with. */
export function sameStructure(rs: ResourceSpans, received: Received): boolean {
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

/** What `rs` remembers of its received bytes, if its structure is still as received. */
export function intactReceived(rs: ResourceSpans): Received | undefined {
  const received = (rs as WithReceived)[RECEIVED];
  return received && sameStructure(rs, received) ? received : undefined;
}

/** The received bytes of some of `scope`'s spans (`indexes`, in order), now the spans of `part`. */
export function receivedScopePart(
  scope: ReceivedScope,
  part: ScopeSpans,
  indexes: readonly number[],
): ReceivedScope {
  const offsets = new Array<number>(2 * indexes.length);
  indexes.forEach((i, k) => {
    offsets[2 * k] = scope.offsets[2 * i];
    offsets[2 * k + 1] = scope.offsets[2 * i + 1];
  });
  return { scopeSpans: part, spans: part.spans!.slice(), offsets };
}

/**
 * Makes `part` (a new ResourceSpans with the resource of one that arrived, as `received`, and
 * `scopes` of its scopes' spans) keep the received bytes of its spans, so encoding it (a share
 * routed to another owner) copies them instead of encoding them afresh.
 */
export function keepReceivedBytes(
  part: ResourceSpans,
  received: Received,
  scopes: ReceivedScope[],
): void {
  Object.defineProperty(part, RECEIVED, {
    value: {
      buffer: received.buffer,
      start: received.start,
      end: received.end,
      resource: part.resource,
      scopeSpans: part.scopeSpans!,
      scopes,
      // Not the ResourceSpans as received: its header and scopes are written afresh.
      headerModified: true,
      modifiedSpans: received.modifiedSpans && new Set(received.modifiedSpans),
    } satisfies Received,
    configurable: true,
  });
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
