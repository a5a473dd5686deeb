import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { bytesToHex } from '../otlp/model';
import { createPipeline, Pipeline } from '../pipeline';
import {
  decodeStatus,
  encodeRequest,
  makeResourceSpans,
  makeSpan,
  waitFor,
} from '../testing/fixtures';
import { OtlpSink } from '../testing/otlpSink';
import { decodeExportRequest } from '../otlp/wire';
import {
  admissionOfResponse,
  ClusterView,
  createClusterShardRouter,
  ForwardOutcome,
  ForwardShard,
} from './clusterRouting';
import { RendezvousRouter, workerShardIds } from './shardRouting';

const A = 'http://10.0.0.1:7007';
const B = 'http://10.0.0.2:7007';
const C = 'http://10.0.0.3:7007';
const D = 'http://10.0.0.4:7007';

describe('trace ownership over portal replicas', () => {
  const ids = Array.from({ length: 4000 }, () => randomBytes(16));
  const owners = (members: string[]) => {
    const router = new RendezvousRouter(members);
    return ids.map(id => members[router.ownerOf(id)]);
  };

  it('moves only the departed member’s traces when one leaves', () => {
    const before = owners([A, B, C]);
    const after = owners([A, B]);
    const moved = before.filter((owner, i) => after[i] !== owner);
    // Every trace C owned moved, and no other.
    expect(new Set(moved)).toEqual(new Set([C]));
    expect(moved).toHaveLength(before.filter(o => o === C).length);
    // That is about a third.
    expect(moved.length).toBeGreaterThan(ids.length / 4);
    expect(moved.length).toBeLessThan(ids.length / 2.5);
  });

  it('moves to a member that joins only its new share, taken from every other member', () => {
    const before = owners([A, B, C]);
    const after = owners([A, B, C, D]);
    const movedFrom = new Map<string, number>();
    after.forEach((owner, i) => {
      if (owner === before[i]) return;
      expect(owner).toBe(D);
      movedFrom.set(before[i], (movedFrom.get(before[i]) ?? 0) + 1);
    });
    const moved = [...movedFrom.values()].reduce((a, b) => a + b, 0);
    expect(moved).toBeGreaterThan(ids.length / 5);
    expect(moved).toBeLessThan(ids.length / 3);
    expect([...movedFrom.keys()].sort()).toEqual([A, B, C]);
  });

  it('does not depend on the order in which members are listed', () => {
    expect(owners([C, A, B])).toEqual(owners([A, B, C]));
  });
});

describe('createClusterShardRouter', () => {
  const spans = Array.from({ length: 200 }, () => makeSpan());
  const batch = () => ({
    resourceSpans: [makeResourceSpans('checkout', spans)],
    spanCount: spans.length,
    bytes: 20_000,
  });
  const view: ClusterView = { self: A, members: [A, B, C] };
  const router = new RendezvousRouter(view.members);
  const ownerOf = (s: { traceId?: Uint8Array | null }) =>
    view.members[router.ownerOf(s.traceId)];

  /** A router whose forwards all succeed, recorded with their shard and span ids. */
  function recordingForwards(workers: Record<string, number>) {
    const sent: { peer: string; shard?: ForwardShard; ids: string[] }[] = [];
    const shards = createClusterShardRouter({
      view: () => ({ ...view, shards: workers }),
      forward: async (peer, body, count, shard) => {
        const ids = spanIdsOf(body);
        expect(ids).toHaveLength(count);
        sent.push({ peer, shard, ids });
        return { ok: true };
      },
      decideLocally: async () => ({ admitted: true }),
    });
    return { shards, sent };
  }

  function setUp(outcome: (peer: string) => ForwardOutcome) {
    const forwarded = new Map<string, string[]>();
    const decidedLocally: string[][] = [];
    const shards = createClusterShardRouter({
      view: () => view,
      forward: async (peer, body, count) => {
        const ids = spanIdsOf(body);
        expect(ids).toHaveLength(count);
        forwarded.set(peer, ids);
        return outcome(peer);
      },
      decideLocally: async body => {
        decidedLocally.push(spanIdsOf(body));
        return { admitted: true };
      },
    });
    return { shards, forwarded, decidedLocally };
  }

  it('keeps its own traces and forwards each other member’s traces to it', async () => {
    const { shards, forwarded, decidedLocally } = setUp(() => ({ ok: true }));
    const routed = shards.route(batch(), request());
    const localIds = routed.local!.resourceSpans.flatMap(rs =>
      rs.scopeSpans!.flatMap(ss => ss.spans!.map(s => bytesToHex(s.spanId))),
    );
    expect(await routed.remote).toEqual({ admitted: true });
    const expected = new Map<string, string[]>();
    for (const s of spans) {
      const owner = ownerOf(s);
      expected.set(owner, [
        ...(expected.get(owner) ?? []),
        bytesToHex(s.spanId),
      ]);
    }
    expect(localIds.sort()).toEqual(expected.get(A)!.sort());
    expect(forwarded.get(B)!.sort()).toEqual(expected.get(B)!.sort());
    expect(forwarded.get(C)!.sort()).toEqual(expected.get(C)!.sort());
    expect(routed.remoteSpans).toBe(spans.length - localIds.length);
    expect(decidedLocally).toEqual([]);
  });

  it('splits a member’s share by its workers once it is known to run several, as they route among themselves', async () => {
    const workers = 3;
    const byWorker = new RendezvousRouter(workerShardIds(workers));
    const { shards, sent } = recordingForwards({ [B]: workers });
    const routed = shards.route(batch(), request());
    expect(await routed.remote).toEqual({ admitted: true });
    // C is not known to run workers: one share, unmarked.
    expect(sent.filter(s => s.peer === C).map(s => s.shard)).toEqual([
      undefined,
    ]);
    const ofB = sent.filter(s => s.peer === B);
    expect(ofB.map(s => s.shard!.of)).toEqual(ofB.map(() => workers));
    expect(new Set(ofB.map(s => s.shard!.index)).size).toBe(ofB.length);
    expect(ofB.length).toBeGreaterThan(1);
    // Every span of B's share is in exactly one part: the part of the worker that owns its trace.
    const traceOf = new Map(
      spans.map(s => [bytesToHex(s.spanId), s.traceId] as const),
    );
    expect(ofB.flatMap(s => s.ids).sort()).toEqual(
      spans
        .filter(s => ownerOf(s) === B)
        .map(s => bytesToHex(s.spanId))
        .sort(),
    );
    for (const { shard, ids } of ofB)
      for (const id of ids)
        expect(byWorker.ownerOf(traceOf.get(id))).toBe(shard!.index);
  });

  it('decides here a share whose forward failed', async () => {
    const { shards, decidedLocally } = setUp(peer =>
      peer === B ? { ok: false, reason: 'unreachable' } : { ok: true },
    );
    const routed = shards.route(batch(), request());
    expect(await routed.remote).toEqual({ admitted: true });
    const ofB = spans
      .filter(s => ownerOf(s) === B)
      .map(s => bytesToHex(s.spanId));
    expect(decidedLocally).toHaveLength(1);
    expect(decidedLocally[0].sort()).toEqual(ofB.sort());
  });

  it('never forwards spans a peer routed here, nor when it is alone', () => {
    const { shards, forwarded } = setUp(() => ({ ok: true }));
    const routed = shards.route(batch(), request(true));
    expect(routed.local?.spanCount).toBe(spans.length);
    expect(routed.remote).toBeUndefined();
    const alone = createClusterShardRouter({
      view: () => ({ self: A, members: [A] }),
      forward: async () => ({ ok: true }),
      decideLocally: async () => ({ admitted: true }),
    });
    expect(alone.route(batch()).local?.spanCount).toBe(spans.length);
    expect(forwarded.size).toBe(0);
  });

  it('splits a protobuf body before decoding: only its own spans are left to decode, the others go as received', async () => {
    const { shards, sent } = recordingForwards({ [C]: 2 });
    const body = encodeRequest({
      resourceSpans: [makeResourceSpans('checkout', spans)],
    });
    const split = shards.splitBody!(body, body.length, request())!;
    const idsOf = (member: string) =>
      spans.filter(s => ownerOf(s) === member).map(s => bytesToHex(s.spanId));
    expect(spanIdsOf(split.local!).sort()).toEqual(idsOf(A).sort());
    expect(split.remoteSpans).toBe(spans.length - idsOf(A).length);
    // Nothing is handed over until the request's spans are accepted.
    expect(sent).toEqual([]);
    expect(await split.send()).toEqual({ admitted: true });
    expect(
      sent.filter(s => s.peer === B).map(s => [s.shard, s.ids.sort()]),
    ).toEqual([[undefined, idsOf(B).sort()]]);
    // C runs 2 workers: one part for each, as C's workers route among themselves.
    const byWorker = new RendezvousRouter(workerShardIds(2));
    const ofC = sent.filter(s => s.peer === C);
    expect(ofC.map(s => s.shard!.index).sort()).toEqual([0, 1]);
    for (const { shard, ids } of ofC)
      for (const id of ids)
        expect(
          byWorker.ownerOf(
            spans.find(x => bytesToHex(x.spanId) === id)!.traceId,
          ),
        ).toBe(shard!.index);
    expect(ofC.flatMap(s => s.ids).sort()).toEqual(idsOf(C).sort());

    // Left to decode whole: a peer's routed request, and a body of this replica's spans only.
    expect(shards.splitBody!(body, body.length, request(true))).toBeUndefined();
    const own = encodeRequest({
      resourceSpans: [
        makeResourceSpans(
          'checkout',
          spans.filter(x => ownerOf(x) === A),
        ),
      ],
    });
    expect(shards.splitBody!(own, own.length, request())).toBeUndefined();
  });

  it('reads an OTLP response as an admission', () => {
    expect(
      admissionOfResponse({ status: 200, headers: {}, body: Buffer.alloc(0) }),
    ).toEqual({ admitted: true });
    expect(
      admissionOfResponse({
        status: 429,
        headers: { 'retry-after': '3' },
        body: Buffer.from('busy'),
      }),
    ).toMatchObject({ admitted: false, status: 429, retryAfterSeconds: 3 });
  });
});

/** The request the router is told about (its body was read already). */
function request(routed?: boolean) {
  return { body: (async function* empty() {})(), routed };
}

function spanIdsOf(body: Uint8Array): string[] {
  return decodeExportRequest(body).flatMap(rs =>
    (rs.scopeSpans ?? []).flatMap(ss =>
      (ss.spans ?? []).map(s => bytesToHex(s.spanId)),
    ),
  );
}

describe('two replicas sharing the spans of the same traces', () => {
  const sinks: OtlpSink[] = [];
  const pipelines: Pipeline[] = [];
  const members = [A, B];

  beforeEach(async () => {
    const byId = new Map<string, Pipeline>();
    for (const self of members) {
      const sink = await new OtlpSink().start();
      const pipeline = createPipeline({
        config: {
          batch: { timeoutMs: 20 },
          exporters: [{ name: 'sink', endpoint: sink.url }],
        },
        registry: new Registry(),
        // The fake membership: both replicas see both; a forward is the peer's routed request.
        shards: createClusterShardRouter({
          view: () => ({ self, members }),
          forward: async (peer, body) => {
            const res = await byId.get(peer)!.handle({
              contentType: 'application/x-protobuf',
              body: (async function* body1() {
                yield body;
              })(),
              routed: true,
            });
            return res.status === 200
              ? { ok: true }
              : { ok: false, reason: `status_${res.status}` };
          },
          decideLocally: async () => {
            throw new Error('no forward fails here');
          },
        }),
      });
      await pipeline.start();
      byId.set(self, pipeline);
      sinks.push(sink);
      pipelines.push(pipeline);
    }
  });

  afterEach(async () => {
    await Promise.all(pipelines.splice(0).map(p => p.shutdown()));
    await Promise.all(sinks.splice(0).map(s => s.stop()));
  });

  it('answers a malformed protobuf body 400, forwarding nothing, and counts spans handed over as received', async () => {
    const good = encodeRequest({
      resourceSpans: [
        makeResourceSpans(
          'checkout',
          Array.from({ length: 40 }, () => makeSpan()),
        ),
      ],
    });
    const post = (bytes: Uint8Array) =>
      pipelines[0].handle({
        contentType: 'application/x-protobuf',
        body: (async function* once() {
          yield bytes;
        })(),
      });
    const bad = await post(good.subarray(0, good.length - 7));
    expect(bad.status).toBe(400);
    expect(decodeStatus(bad.body, 'application/x-protobuf').message).toMatch(
      /invalid protobuf payload/,
    );
    expect(pipelines[1].accounting.snapshot().received).toBe(0);
    const ok = await post(good);
    expect(ok.status).toBe(200);
    // Each span is counted once, as received by its owner (the other's share was never decoded
    // where it arrived).
    const [here, there] = pipelines.map(p => p.accounting.snapshot());
    expect(here.received + there.received).toBe(40);
    expect(here.accepted + there.accepted).toBe(40);
    expect(here.received).toBeGreaterThan(0);
    expect(there.received).toBeGreaterThan(0);
  });

  it('exports every trace whole from its one owner', async () => {
    // 100 two-span traces: the root sent to one replica, the child to the other.
    const traces = Array.from({ length: 100 }, () => {
      const traceId = randomBytes(16);
      const root = makeSpan({ traceId });
      const child = makeSpan({ traceId, parentSpanId: root.spanId });
      return [root, child];
    });
    const send = (pipeline: Pipeline, spans: ReturnType<typeof makeSpan>[]) =>
      pipeline.handle({
        contentType: 'application/x-protobuf',
        body: (async function* body1() {
          yield encodeRequest({
            resourceSpans: [makeResourceSpans('checkout', spans)],
          });
        })(),
      });
    const [first, second] = await Promise.all([
      send(
        pipelines[0],
        traces.map(t => t[0]),
      ),
      send(
        pipelines[1],
        traces.map(t => t[1]),
      ),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await waitFor(
      () => sinks[0].spans().length + sinks[1].spans().length === 200,
      '200 spans exported',
    );
    const router = new RendezvousRouter(members);
    const exportedBy = sinks.map(
      sink => new Set(sink.spans().map(s => bytesToHex(s.traceId))),
    );
    for (const [root, child] of traces) {
      const owner = router.ownerOf(root.traceId);
      const id = bytesToHex(root.traceId);
      expect(exportedBy[owner].has(id)).toBe(true);
      expect(exportedBy[1 - owner].has(id)).toBe(false);
      const both = sinks[owner]
        .spans()
        .filter(s => bytesToHex(s.traceId) === id)
        .map(s => bytesToHex(s.spanId))
        .sort();
      expect(both).toEqual(
        [bytesToHex(root.spanId), bytesToHex(child.spanId)].sort(),
      );
    }
    // Each replica owned a fair share of the traces.
    expect(exportedBy[0].size).toBeGreaterThan(20);
    expect(exportedBy[1].size).toBeGreaterThan(20);
  });
});
