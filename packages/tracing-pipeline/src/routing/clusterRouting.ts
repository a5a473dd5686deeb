import { Admission } from '../receiver/memoryLimiter';
import type { ShardRouter } from '../pipeline';
import type { OtlpHttpRequest, OtlpHttpResponse } from '../receiver/receiver';
import { encodeExportRequest } from '../otlp/wire';
import { splitExportRequestBytes } from '../otlp/wireSplit';
import {
  combineAdmissions,
  RendezvousRouter,
  workerShardIds,
} from './shardRouting';

/**
 * The live portal replicas as this one sees them: `members` are their ids (each a replica's
 * advertised internal base URL), `self` is this replica's id and is one of them. Every replica
 * that sees the same members routes a trace id to the same owner (rendezvous hashing).
 */
export interface ClusterView {
  readonly self: string;
  readonly members: readonly string[];
  /**
   * Members known to run their pipeline in several worker threads, and how many: their share is
   * split once more here, by the same trace-id routing their workers use among themselves, and
   * each worker's part is forwarded marked with its shard, so the owner hands it to that worker
   * as it is (no second decode and re-encode there to reach the right worker).
   */
  readonly shards?: Readonly<Record<string, number>>;
}

/** What became of spans forwarded to their owner. */
export type ForwardOutcome = { ok: true } | { ok: false; reason: string };

/** Which of an owner's workers a forwarded share is for: shard `index` of `of` workers. */
export interface ForwardShard {
  index: number;
  of: number;
}

/** A share of a request's spans for the member `peer`, who owns their traces. */
export interface ForwardShare {
  peer: string;
  /** OTLP `ExportTraceServiceRequest`, protobuf. */
  body: Uint8Array;
  spans: number;
  shard?: ForwardShard;
}

export interface ClusterRoutingOptions {
  /** The current view; undefined or a view of one member: every span is decided here. */
  view(): ClusterView | undefined;
  /** Routing of this replica's share among its own workers (worker mode), if any. */
  inner?: ShardRouter;
  /**
   * Hands an OTLP `ExportTraceServiceRequest` (protobuf) over for the member `peer`; resolves
   * (never rejects) with `ok` once it is queued for the owner (from then on delivering it, or
   * deciding it here if that fails, is the forwarder's job), else with why it was not. Counting
   * forwards and failures is its job.
   */
  forward(
    peer: string,
    body: Uint8Array,
    spans: number,
    shard?: ForwardShard,
  ): Promise<ForwardOutcome>;
  /** Decides a share here that could not be forwarded: handles it as a `routed` request. */
  decideLocally(body: Uint8Array): Promise<Admission>;
}

/** The admission an OTLP/HTTP response stands for (200, partial success included: taken). */
export function admissionOfResponse(response: OtlpHttpResponse): Admission {
  if (response.status === 200) return { admitted: true };
  return {
    admitted: false,
    status:
      response.status === 429 || response.status === 413
        ? response.status
        : 503,
    retryAfterSeconds: Number(response.headers['retry-after']) || undefined,
    message: `spans could not be decided here: ${response.body.toString(
      'utf8',
      0,
      500,
    )}`,
  };
}

/**
 * Hands OTLP protobuf `body` (a share that could not be forwarded) to `handler`: as a routed
 * request, decided there; or, with `routed: false`, routed again by trace id over the members
 * current now (its owner left: each trace goes to its new owner).
 */
export function decideRoutedHere(
  handler: { handle(request: OtlpHttpRequest): Promise<OtlpHttpResponse> },
  body: Uint8Array,
  routed = true,
): Promise<Admission> {
  return handler
    .handle({
      contentType: 'application/x-protobuf',
      body: (async function* once() {
        yield body;
      })(),
      routed,
    })
    .then(admissionOfResponse);
}

/**
 * Owner routing across portal replicas, one level above the worker threads' (see WorkerPool).
 * Each decoded request is split by trace id over the live members; this replica's share goes on
 * (through `inner` among the workers), every other share is forwarded to its owner, and a share
 * that cannot be forwarded is decided here rather than lost (its trace may then be decided in two
 * places: the price of not dropping data). A request that carries `forwards` (worker mode) gets
 * its shares put there instead, for whoever handles the request to queue with its answer. Requests marked `routed` came from a peer and are
 * always decided here, so two replicas with momentarily different views never bounce spans.
 */
export function createClusterShardRouter(
  options: ClusterRoutingOptions,
): ShardRouter {
  let cached:
    | { view: ClusterView; router: RendezvousRouter; self: number }
    | undefined;
  const routerFor = (view: ClusterView) => {
    if (cached?.view !== view) {
      const router = new RendezvousRouter(view.members);
      cached = { view, router, self: view.members.indexOf(view.self) };
    }
    return cached;
  };
  const here = (
    batch: Parameters<ShardRouter['route']>[0],
    request: Parameters<ShardRouter['route']>[1],
  ) =>
    options.inner?.route(batch, request) ?? {
      local: batch,
      remoteSpans: 0,
      remote: undefined,
    };

  const workerRouters = new Map<number, RendezvousRouter>();
  const workerRouter = (workers: number) => {
    let router = workerRouters.get(workers);
    if (!router) {
      router = new RendezvousRouter(workerShardIds(workers));
      workerRouters.set(workers, router);
    }
    return router;
  };

  const forwardOrDecide = async (
    handOver: ForwardShare[] | undefined,
    peer: string,
    body: Uint8Array,
    spans: number,
    shard?: ForwardShard,
  ): Promise<Admission> => {
    let outcome: ForwardOutcome;
    if (handOver) {
      handOver.push({ peer, body, spans, shard });
      return { admitted: true };
    }
    try {
      outcome = await options.forward(peer, body, spans, shard);
    } catch {
      outcome = { ok: false, reason: 'internal_error' };
    }
    if (outcome.ok) return { admitted: true };
    return options.decideLocally(body);
  };

  /** The owners of a view's traces when splitting bytes: each member, or each of its workers. */
  let cachedSlots:
    | {
        view: ClusterView;
        slots: { peer: string; shard?: ForwardShard }[];
        first: number[];
      }
    | undefined;
  const slotsFor = (view: ClusterView) => {
    if (cachedSlots?.view !== view) {
      const slots: { peer: string; shard?: ForwardShard }[] = [];
      const first = view.members.map(peer => {
        const at = slots.length;
        const workers = peer === view.self ? 1 : view.shards?.[peer] ?? 1;
        if (workers < 2) slots.push({ peer });
        else
          for (let index = 0; index < workers; index++)
            slots.push({ peer, shard: { index, of: workers } });
        return at;
      });
      cachedSlots = { view, slots, first };
    }
    return cachedSlots;
  };

  return {
    splitBody(body, length, request) {
      const view = options.view();
      if (request?.routed || !view || view.members.length < 2) return undefined;
      const { router, self } = routerFor(view);
      if (self < 0) return undefined;
      const { slots, first } = slotsFor(view);
      const mine = first[self];
      const parts = splitExportRequestBytes(body, length, slots.length, id => {
        const member = router.ownerOf(id);
        const workers = slots[first[member]].shard?.of;
        return workers
          ? first[member] + workerRouter(workers).ownerOf(id)
          : first[member];
      });
      // Every span is this replica's: decoded as it is.
      if (parts.every((part, i) => !part || i === mine)) return undefined;
      let remoteSpans = 0;
      parts.forEach((part, i) => {
        if (part && i !== mine) remoteSpans += part.spans;
      });
      return {
        local: parts[mine]?.bytes,
        remoteSpans,
        send: () =>
          Promise.all(
            parts.flatMap((part, i) =>
              part && i !== mine
                ? [
                    forwardOrDecide(
                      request?.forwards,
                      slots[i].peer,
                      part.bytes,
                      part.spans,
                      slots[i].shard,
                    ),
                  ]
                : [],
            ),
          ).then(combineAdmissions),
      };
    },
    route(batch, request) {
      const view = options.view();
      if (request?.routed || !view || view.members.length < 2)
        return here(batch, request);
      const { router, self } = routerFor(view);
      if (self < 0) return here(batch, request);
      const parts = router.split(batch);
      const mine = parts[self];
      const local = mine
        ? here(mine, request)
        : { local: undefined, remoteSpans: 0, remote: undefined };
      let remoteSpans = local.remoteSpans;
      const answers: Promise<Admission>[] = local.remote ? [local.remote] : [];
      parts.forEach((part, owner) => {
        if (!part || owner === self) return;
        remoteSpans += part.spanCount;
        const peer = view.members[owner];
        const workers = view.shards?.[peer] ?? 1;
        if (workers < 2) {
          answers.push(
            forwardOrDecide(
              request?.forwards,
              peer,
              encodeExportRequest(part.resourceSpans),
              part.spanCount,
            ),
          );
          return;
        }
        workerRouter(workers)
          .split(part)
          .forEach((share, index) => {
            if (share)
              answers.push(
                forwardOrDecide(
                  request?.forwards,
                  peer,
                  encodeExportRequest(share.resourceSpans),
                  share.spanCount,
                  { index, of: workers },
                ),
              );
          });
      });
      return {
        local: local.local,
        remoteSpans,
        remote: answers.length
          ? Promise.all(answers).then(combineAdmissions)
          : undefined,
      };
    },
  };
}
