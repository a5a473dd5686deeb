import { Admission } from '../receiver/memoryLimiter';
import { ResourceSpans, ScopeSpans, Span, SpanBatch } from '../otlp/model';
import { shareOfBytes } from '../otlp/spanBatch';
import {
  intactReceived,
  keepReceivedBytes,
  ReceivedScope,
  receivedScopePart,
} from '../otlp/receivedBytes';

/**
 * Who handles the spans of the traces it owns: another worker thread of this process now, another
 * portal replica (over OTLP/HTTP) later. `deliver` takes an OTLP `ExportTraceServiceRequest` in
 * protobuf and answers whether the owner took it.
 */
export interface ShardOwner {
  readonly id: string;
  deliver(encodedOtlpBytes: Uint8Array): Promise<Admission>;
}

/** FNV-1a over the bytes, continuing from `seed`. */
function fnv1a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A 32-bit finaliser (murmur3 fmix32), so the per-owner scores of one trace id are independent. */
function mix(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

const EMPTY = new Uint8Array(0);

/**
 * The owner ids of a replica's `workers` worker threads: a trace id's worker is its rendezvous
 * owner over these (the workers route among themselves by them, and a peer replica that knows
 * the count sends each worker its own share, see routing/clusterRouting).
 */
export function workerShardIds(workers: number): string[] {
  return Array.from({ length: workers }, (_, i) => `worker-${i}`);
}

/**
 * Rendezvous (highest random weight) hashing of trace ids over owner ids: each trace id goes to
 * the owner with the highest score, so removing an owner only moves the traces it owned, and
 * every process that knows the same owner ids routes a trace id the same way.
 */
export class RendezvousRouter {
  private readonly seeds: number[];

  constructor(readonly ownerIds: readonly string[]) {
    if (ownerIds.length === 0) throw new Error('at least one owner is needed');
    this.seeds = ownerIds.map(id => fnv1a(Buffer.from(id, 'utf8')));
  }

  /** The index in `ownerIds` of the owner of `traceId` (spans without a trace id: the first). */
  ownerOf(traceId: Uint8Array | null | undefined): number {
    if (this.seeds.length === 1) return 0;
    const t = traceId ?? EMPTY;
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < this.seeds.length; i++) {
      const score = mix(fnv1a(t, this.seeds[i]));
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  /**
   * Splits a batch into one batch per owner (index as in `ownerIds`; undefined where an owner
   * gets nothing). Resource and scope objects are shared; only the span lists are new.
   */
  split(batch: SpanBatch): (SpanBatch | undefined)[] {
    const n = this.seeds.length;
    if (n === 1) return [batch];
    const parts: ResourceSpans[][] = Array.from({ length: n }, () => []);
    const counts = new Array<number>(n).fill(0);
    for (const rs of batch.resourceSpans) {
      // A part of a ResourceSpans that arrived as protobuf keeps its spans' received bytes.
      const received = intactReceived(rs);
      const scopesPerOwner: (ScopeSpans[] | undefined)[] = new Array(n);
      const receivedPerOwner: (ReceivedScope[] | undefined)[] = new Array(n);
      (rs.scopeSpans ?? []).forEach((ss, si) => {
        const spansPerOwner: (Span[] | undefined)[] = new Array(n);
        const indexesPerOwner: (number[] | undefined)[] = new Array(n);
        (ss.spans ?? []).forEach((span, j) => {
          const o = this.ownerOf(span.traceId);
          (spansPerOwner[o] ??= []).push(span);
          if (received) (indexesPerOwner[o] ??= []).push(j);
        });
        for (let o = 0; o < n; o++) {
          const spans = spansPerOwner[o];
          if (!spans) continue;
          counts[o] += spans.length;
          const whole = spans.length === ss.spans?.length;
          const part = whole
            ? ss
            : { scope: ss.scope, schemaUrl: ss.schemaUrl, spans };
          (scopesPerOwner[o] ??= []).push(part);
          if (received)
            (receivedPerOwner[o] ??= []).push(
              whole
                ? received.scopes[si]
                : receivedScopePart(
                    received.scopes[si],
                    part,
                    indexesPerOwner[o]!,
                  ),
            );
        }
      });
      for (let o = 0; o < n; o++) {
        const scopeSpans = scopesPerOwner[o];
        if (!scopeSpans) continue;
        if (
          scopeSpans.length === rs.scopeSpans?.length &&
          scopeSpans.every((s, i) => s === rs.scopeSpans![i])
        ) {
          parts[o].push(rs);
          continue;
        }
        const part = {
          resource: rs.resource,
          schemaUrl: rs.schemaUrl,
          scopeSpans,
        };
        if (received) keepReceivedBytes(part, received, receivedPerOwner[o]!);
        parts[o].push(part);
      }
    }
    let bytesLeft = batch.bytes;
    let spansLeft = batch.spanCount;
    return parts.map((resourceSpans, o) => {
      if (counts[o] === 0) return undefined;
      const bytes = shareOfBytes(bytesLeft, counts[o], spansLeft);
      bytesLeft -= bytes;
      spansLeft -= counts[o];
      return { resourceSpans, spanCount: counts[o], bytes };
    });
  }
}

/** The admission of a request whose shares went to several owners: refused if any share was. */
export function combineAdmissions(admissions: readonly Admission[]): Admission {
  let refused: Exclude<Admission, { admitted: true }> | undefined;
  for (const a of admissions) {
    if (a.admitted) continue;
    // The longest Retry-After wins, so the client does not come back before every owner can take it.
    if (
      !refused ||
      (a.retryAfterSeconds ?? 0) > (refused.retryAfterSeconds ?? 0)
    )
      refused = a;
  }
  return refused ?? { admitted: true };
}
