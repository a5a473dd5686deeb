import { ResourceSpans, ScopeSpans, SpanBatch } from './model';
import { encodeResourceSpansField } from './wire';

export function countSpans(resourceSpans: readonly ResourceSpans[]): number {
  let n = 0;
  for (const rs of resourceSpans) {
    const scopes = rs.scopeSpans;
    if (!scopes) continue;
    for (const ss of scopes) n += ss.spans?.length ?? 0;
  }
  return n;
}

/** The share of `bytes` that `part` of `whole` spans stands for (rounded; shares of a split add up). */
export function shareOfBytes(
  bytes: number,
  part: number,
  whole: number,
): number {
  return whole <= 0 ? 0 : Math.round((bytes * part) / whole);
}

export function concatBatches(batches: readonly SpanBatch[]): SpanBatch {
  if (batches.length === 1) return batches[0];
  const resourceSpans: ResourceSpans[] = [];
  let spanCount = 0;
  let bytes = 0;
  for (const b of batches) {
    for (const rs of b.resourceSpans) resourceSpans.push(rs);
    spanCount += b.spanCount;
    bytes += b.bytes;
  }
  return { resourceSpans, spanCount, bytes };
}

function scopeSpanCount(rs: ResourceSpans): number {
  let n = 0;
  for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

/**
 * Splits a batch into batches of at most `maxSpans` spans, keeping order. Whole ResourceSpans
 * are kept as they are; only the ones straddling a boundary are copied (sharing resource, scope
 * and span objects).
 */
export function splitBatch(batch: SpanBatch, maxSpans: number): SpanBatch[] {
  if (maxSpans <= 0 || batch.spanCount <= maxSpans) return [batch];
  const chunks: ResourceSpans[][] = [];
  let current: ResourceSpans[] = [];
  let room = maxSpans;
  const closeChunk = () => {
    chunks.push(current);
    current = [];
    room = maxSpans;
  };
  // The scopes of the ResourceSpans being split that go into the current chunk.
  let scopes: ScopeSpans[] = [];
  const flushScopes = (rs: ResourceSpans) => {
    if (scopes.length)
      current.push({
        resource: rs.resource,
        schemaUrl: rs.schemaUrl,
        scopeSpans: scopes,
      });
    scopes = [];
  };
  for (const rs of batch.resourceSpans) {
    const n = scopeSpanCount(rs);
    if (n <= room) {
      current.push(rs);
      room -= n;
      if (room === 0) closeChunk();
      continue;
    }
    for (const ss of rs.scopeSpans ?? []) {
      const spans = ss.spans ?? [];
      let offset = 0;
      while (offset < spans.length) {
        const take = Math.min(room, spans.length - offset);
        scopes.push(
          offset === 0 && take === spans.length
            ? ss
            : {
                scope: ss.scope,
                schemaUrl: ss.schemaUrl,
                spans: spans.slice(offset, offset + take),
              },
        );
        offset += take;
        room -= take;
        if (room === 0) {
          flushScopes(rs);
          closeChunk();
        }
      }
    }
    flushScopes(rs);
  }
  if (current.length) chunks.push(current);

  let bytesLeft = batch.bytes;
  let spansLeft = batch.spanCount;
  return chunks.map(resourceSpans => {
    const spanCount = countSpans(resourceSpans);
    const bytes = shareOfBytes(bytesLeft, spanCount, spansLeft);
    bytesLeft -= bytes;
    spansLeft -= spanCount;
    return { resourceSpans, spanCount, bytes };
  });
}

/**
 * Spans already encoded for export: each chunk is one ResourceSpans field of an
 * `ExportTraceServiceRequest`, so a request is the concatenation of chunks. Batches wait in this
 * form (a fraction of the memory of decoded objects, and nothing for the GC to trace).
 */
export interface EncodedBatch {
  chunks: EncodedChunk[];
  spanCount: number;
  /** The bytes of all chunks. */
  bytes: number;
}

export interface EncodedChunk {
  data: Buffer;
  spanCount: number;
}

/** Encodes a batch, first splitting any ResourceSpans larger than `maxSpans` (0: no limit). */
export function encodeBatch(batch: SpanBatch, maxSpans: number): EncodedBatch {
  const chunks: EncodedChunk[] = [];
  let bytes = 0;
  for (const rs of batch.resourceSpans) {
    const spanCount = scopeSpanCount(rs);
    if (spanCount === 0) continue;
    const parts =
      maxSpans > 0 && spanCount > maxSpans
        ? splitBatch(
            { resourceSpans: [rs], spanCount, bytes: 0 },
            maxSpans,
          ).flatMap(p => p.resourceSpans)
        : [rs];
    for (const part of parts) {
      const data = encodeResourceSpansField(part);
      chunks.push({
        data,
        spanCount: parts.length === 1 ? spanCount : scopeSpanCount(part),
      });
      bytes += data.length;
    }
  }
  return { chunks, spanCount: batch.spanCount, bytes };
}
