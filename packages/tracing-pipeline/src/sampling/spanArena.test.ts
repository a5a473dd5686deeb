import { SpanCodec } from '../otlp/otlpRoot';
import {
  receivedBatchOf,
  makeSpan,
  randomBytes,
  seededRandom,
  spanValue,
} from './testing';
import { SpanArena } from './spanArena';
import { receivedSpansOf } from '../otlp/wire';

const random = seededRandom(3);

function storedValue(arena: SpanArena) {
  return spanValue(
    SpanCodec.decode(
      arena.buffer.subarray(arena.offset, arena.offset + arena.length),
    ),
  );
}

describe('SpanArena', () => {
  it('stores spans back to back in one chunk, and each reads back as it was', () => {
    const arena = new SpanArena();
    const spans = Array.from({ length: 50 }, (_, i) =>
      makeSpan({ traceId: randomBytes(random, 16), name: `op-${i}` }),
    );
    const places: Array<[Buffer, number]> = [];
    for (const span of spans) {
      arena.store(span, undefined, 0);
      places.push([arena.buffer, arena.offset]);
      expect(storedValue(arena)).toEqual(spanValue(span));
    }
    expect(new Set(places.map(p => p[0])).size).toBe(1);
    expect(places[1][1]).toBeGreaterThan(places[0][1]);
  });

  it('copies spans that arrived as protobuf from the request bytes', () => {
    const arena = new SpanArena();
    const span = makeSpan({
      traceId: randomBytes(random, 16),
      attributes: { a: 'b' },
    });
    const batch = receivedBatchOf({ svc: [span] });
    const rs = batch.resourceSpans[0];
    const ss = rs.scopeSpans![0];
    const received = receivedSpansOf(rs, ss)!;
    expect(received.unchanged(0, ss.spans![0])).toBe(true);
    arena.store(ss.spans![0], received, 0);
    expect(arena.length).toBe(received.end(0) - received.start(0));
    expect(storedValue(arena)).toEqual(spanValue(span));
  });

  it('starts a new chunk when one is full and gives a very large span a buffer of its own', () => {
    const arena = new SpanArena();
    const small = makeSpan({
      traceId: randomBytes(random, 16),
      attributes: { pad: 'x'.repeat(1000) },
    });
    const buffers = new Set<Buffer>();
    for (let i = 0; i < 400; i++) {
      arena.store(small, undefined, 0);
      buffers.add(arena.buffer);
    }
    expect(buffers.size).toBe(2); // 400 × ~1.1 KB over 256 KiB chunks
    const large = makeSpan({
      traceId: randomBytes(random, 16),
      attributes: { pad: 'y'.repeat(100_000) },
    });
    arena.store(large, undefined, 0);
    expect(arena.buffer.length).toBe(arena.length);
    expect(storedValue(arena)).toEqual(spanValue(large));
    // the shared chunk carries on after the large span
    arena.store(small, undefined, 0);
    expect(buffers.has(arena.buffer)).toBe(true);
  });
});
