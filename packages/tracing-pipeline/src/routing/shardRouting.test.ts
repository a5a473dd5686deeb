import { randomBytes } from 'node:crypto';
import {
  encodeRequest,
  makeResourceSpans,
  makeSpan,
} from '../testing/fixtures';
import { bytesToHex } from '../otlp/model';
import { ExportTraceServiceRequestCodec } from '../otlp/otlpRoot';
import {
  decodeExportRequest,
  encodeExportRequest,
  markSpanModified,
} from '../otlp/wire';
import { combineAdmissions, RendezvousRouter } from './shardRouting';

describe('RendezvousRouter', () => {
  const ids = Array.from({ length: 2000 }, () => randomBytes(16));

  it('gives every trace id one owner, spread about evenly', () => {
    const router = new RendezvousRouter(['worker-0', 'worker-1', 'worker-2']);
    const counts = [0, 0, 0];
    for (const id of ids) counts[router.ownerOf(id)]++;
    for (const c of counts) expect(c).toBeGreaterThan(500);
    // The same ids route the same way in another process that knows the same owners.
    const again = new RendezvousRouter(['worker-0', 'worker-1', 'worker-2']);
    for (const id of ids) expect(again.ownerOf(id)).toBe(router.ownerOf(id));
  });

  it('moves only the traces of an owner that leaves', () => {
    const three = new RendezvousRouter(['a', 'b', 'c']);
    const two = new RendezvousRouter(['a', 'b']);
    const moved = ids.filter(id => {
      const owner = three.ownerIds[three.ownerOf(id)];
      return owner !== 'c' && two.ownerIds[two.ownerOf(id)] !== owner;
    });
    expect(moved).toEqual([]);
  });

  it('splits a batch by the owner of each span, keeping resources and scopes', () => {
    const router = new RendezvousRouter(['worker-0', 'worker-1']);
    const spans = Array.from({ length: 100 }, () => makeSpan());
    const rs = makeResourceSpans('checkout', spans);
    const parts = router.split({
      resourceSpans: [rs],
      spanCount: 100,
      bytes: 1000,
    });
    const total = parts.reduce((n, p) => n + (p?.spanCount ?? 0), 0);
    expect(total).toBe(100);
    expect(parts.reduce((n, p) => n + (p?.bytes ?? 0), 0)).toBe(1000);
    parts.forEach((part, owner) => {
      for (const r of part!.resourceSpans) {
        expect(r.resource).toBe(rs.resource);
        for (const ss of r.scopeSpans!)
          for (const span of ss.spans!)
            expect(router.ownerOf(span.traceId)).toBe(owner);
      }
    });
  });

  it('encodes each part of a batch that arrived as protobuf by copying its spans’ received bytes', () => {
    const router = new RendezvousRouter(['worker-0', 'worker-1', 'worker-2']);
    const body = encodeRequest({
      resourceSpans: [
        makeResourceSpans(
          'checkout',
          Array.from({ length: 30 }, () => makeSpan()),
        ),
        makeResourceSpans(
          'inventory',
          Array.from({ length: 30 }, () => makeSpan()),
        ),
      ],
    });
    const resourceSpans = decodeExportRequest(body);
    const names = new Map(
      resourceSpans.flatMap(rs =>
        rs.scopeSpans!.flatMap(ss =>
          ss.spans!.map(span => [bytesToHex(span.spanId), span.name] as const),
        ),
      ),
    );
    const parts = router.split({ resourceSpans, spanCount: 60, bytes: 6000 });
    // Changed without telling the encoder: a copied span keeps its received bytes.
    for (const rs of resourceSpans)
      for (const ss of rs.scopeSpans!)
        for (const span of ss.spans!) span.name = 'unannounced';
    // Announced on the part it is in: encoded afresh.
    const marked = parts[1]!.resourceSpans[0];
    const renamed = marked.scopeSpans![0].spans![0];
    renamed.name = 'renamed';
    markSpanModified(marked, renamed);

    parts.forEach((part, owner) => {
      const decoded = ExportTraceServiceRequestCodec.decode(
        encodeExportRequest(part!.resourceSpans),
      ).resourceSpans!;
      expect(decoded.map(rs => rs.resource)).toEqual(
        part!.resourceSpans.map(rs => expect.objectContaining(rs.resource)),
      );
      const spans = decoded.flatMap(rs =>
        rs.scopeSpans!.flatMap(ss => ss.spans!),
      );
      expect(spans).toHaveLength(part!.spanCount);
      for (const span of spans) {
        expect(router.ownerOf(span.traceId)).toBe(owner);
        expect(span.name).toBe(
          span.spanId === renamed.spanId ||
            bytesToHex(span.spanId) === bytesToHex(renamed.spanId)
            ? 'renamed'
            : names.get(bytesToHex(span.spanId)),
        );
      }
    });
  });

  it('refuses a request when any share was refused, with the longest Retry-After', () => {
    expect(combineAdmissions([{ admitted: true }, { admitted: true }])).toEqual(
      {
        admitted: true,
      },
    );
    expect(
      combineAdmissions([
        { admitted: false, status: 429, retryAfterSeconds: 1, message: 'a' },
        { admitted: true },
        { admitted: false, status: 503, retryAfterSeconds: 5, message: 'b' },
      ]),
    ).toMatchObject({ admitted: false, status: 503, retryAfterSeconds: 5 });
  });
});
