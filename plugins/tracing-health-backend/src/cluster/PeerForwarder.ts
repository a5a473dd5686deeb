import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  CLUSTER_METRICS,
  ClusterLostSpansReason,
  TRACING_HEALTH_PLUGIN_ID,
} from '@internal/plugin-tracing-health-common';
import {
  decideRoutedHere,
  ForwardOutcome,
  ForwardShard,
  Pipeline,
} from '@internal/tracing-pipeline';
import { Counter, Gauge, Registry } from 'prom-client';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  ForwardQueue,
  ForwardQueueSettings,
  SendResult,
  systemTimers,
  Timers,
} from './ForwardQueue';
import { peerAgents, PeerTimeoutError, postToPeer } from './postToPeer';

const gzipAsync = promisify(gzip);

/** The internal route a replica receives its traces' spans on (see createClusterRouter). */
export const CLUSTER_INGEST_PATH = '/cluster/v1/traces';
/** Who sent a forward (its member id) and how many spans it holds. */
export const FORWARDED_BY_HEADER = 'x-tracing-health-member';
export const FORWARDED_SPANS_HEADER = 'x-tracing-health-spans';
/** Which of the owner's workers a forward is for: `index/of` (see ForwardShard). */
export const FORWARDED_SHARD_HEADER = 'x-tracing-health-shard';
/** In the owner's answer: how many pipeline workers it runs (so the sender can split by them). */
export const OWNER_WORKERS_HEADER = 'x-tracing-health-workers';
/** A peer claiming more workers than this is not split for. */
export const MAX_PEER_WORKERS = 256;

/** `index/of`, as FORWARDED_SHARD_HEADER carries it; undefined unless well formed. */
export function parseShard(value: unknown): ForwardShard | undefined {
  const m =
    typeof value === 'string' ? /^(\d{1,3})\/(\d{1,3})$/.exec(value) : null;
  if (!m) return undefined;
  const shard = { index: Number(m[1]), of: Number(m[2]) };
  return shard.of >= 2 && shard.of <= MAX_PEER_WORKERS && shard.index < shard.of
    ? shard
    : undefined;
}

/** Service tokens are reused this long (they live an hour). */
const TOKEN_REUSE_MS = 60_000;

/** What an owner's HTTP status means for a forward: the reason, and whether to try again. */
function failureOfStatus(
  status: number,
  retryAfter: string | null,
): Exclude<SendResult, { ok: true }> {
  if (status === 429 || status === 503) {
    const seconds = Number(retryAfter);
    return {
      ok: false,
      reason: 'refused',
      retryable: true,
      retryAfterMs:
        Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
    };
  }
  if (status === 401 || status === 403)
    return { ok: false, reason: 'auth', retryable: false };
  if (status >= 500)
    return { ok: false, reason: 'server_error', retryable: false };
  return { ok: false, reason: 'rejected', retryable: false };
}

export interface PeerForwarderOptions {
  auth: AuthService;
  /** This replica's member id. */
  self: string;
  /** Whether a member id is a live member now (only those are sent to). */
  isMember(id: string): boolean;
  /** Batching, bound and retry of each peer's forwards; `deadlineMs` is the forward timeout. */
  queue: ForwardQueueSettings;
  /** How forward requests are compressed (default none). */
  compression?: 'gzip' | 'none';
  registry: Registry;
  logger: LoggerService;
  /**
   * Spans of a failed forward this replica could not decide either (its pipeline refused them,
   * or was not there): counted as lost by `reason`.
   */
  lost(reason: ClusterLostSpansReason, spans: number): void;
  /**
   * A peer said how many pipeline workers it runs (in its answer to a forward): from then on its
   * shares can be split by them (see ClusterView.shards).
   */
  peerWorkers?(peer: string, workers: number): void;
  /** Tests: the queues' time source and backoff jitter. */
  timers?: Timers;
  random?: () => number;
}

/**
 * Sends spans to the replica that owns their traces: OTLP/HTTP protobuf (gzip with
 * `compression: gzip`), on the owner's internal route, authenticated with a Backstage service
 * token of this plugin (never the public ingest token). Like the OpenTelemetry Collector's
 * loadbalancing exporter with its sending queue, a share is acknowledged once it is queued: each
 * peer has a ForwardQueue, where the shares of many requests go in one forward request, retried on
 * 429/503 and lost connections until the forward timeout. A share that fails for good is decided
 * by this replica's pipeline (see `decideFailedForwardsWith`) instead, or routed again if its
 * owner left the members meanwhile, and counted by reason; if that pipeline refuses it too, its
 * spans are counted as lost. A share the queue refuses at once
 * (`queue_full`, `unknown_peer`) is the caller's to decide (see createClusterShardRouter).
 */
export class PeerForwarder {
  private token?: { value: string; until: number };
  /** A queue per peer, or per worker of a peer when shares are split by its workers. */
  private readonly queues = new Map<
    string,
    { peer: string; of: number; queue: ForwardQueue }
  >();
  private readonly forwarded: Counter<'peer'>;
  private readonly requests: Counter<'peer'>;
  private readonly retries: Counter<'reason'>;
  private readonly failures: Counter<'reason'>;
  private readonly failedSpans: Counter<'reason'>;
  private readonly queueBytes: Gauge<'peer'>;
  private readonly agents: ReturnType<typeof peerAgents>;
  private pipeline?: Pick<Pipeline, 'handle'>;
  /** Failed shares being decided here. */
  private readonly decidingHere = new Set<Promise<void>>();

  constructor(private readonly options: PeerForwarderOptions) {
    const { registry } = options;
    this.agents = peerAgents(options.queue.concurrency);
    this.forwarded = new Counter({
      name: CLUSTER_METRICS.forwardedSpans,
      help: 'Spans forwarded to the replica that owns their trace.',
      labelNames: ['peer'],
      registers: [registry],
    });
    this.requests = new Counter({
      name: CLUSTER_METRICS.forwardRequests,
      help: 'Forward requests sent to an owner replica, retries included.',
      labelNames: ['peer'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: CLUSTER_METRICS.forwardRetries,
      help: 'Forward requests sent again after a retryable failure, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: CLUSTER_METRICS.forwardFailures,
      help: 'Forwards to an owner replica that failed, by reason; their spans were decided here.',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.failedSpans = new Counter({
      name: CLUSTER_METRICS.forwardFailedSpans,
      help: 'Spans of failed forwards, decided here instead of by their owner.',
      labelNames: ['reason'],
      registers: [registry],
    });
    const queues = this.queues;
    this.queueBytes = new Gauge({
      name: CLUSTER_METRICS.forwardQueueBytes,
      help: 'Bytes queued for an owner replica (waiting, being sent or retried).',
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { peer, queue } of queues.values())
          this.inc({ peer }, queue.queuedBytes());
      },
    });
  }

  /** What decides the spans of forwards that failed: this replica's pipeline. */
  decideFailedForwardsWith(pipeline: Pick<Pipeline, 'handle'>) {
    this.pipeline = pipeline;
  }

  /**
   * Queues `body` (an OTLP protobuf `ExportTraceServiceRequest` of `spans` spans) for `peer`.
   * Resolves at once: `ok` once queued (from then on the spans are this forwarder's to deliver or
   * decide here), else why the caller must decide them itself.
   */
  forward(
    peer: string,
    body: Uint8Array,
    spans: number,
    shard?: ForwardShard,
  ): Promise<ForwardOutcome> {
    if (peer === this.options.self || !this.options.isMember(peer)) {
      this.fail('unknown_peer', spans);
      return Promise.resolve({ ok: false, reason: 'unknown_peer' });
    }
    const enqueued = this.queueOf(peer, shard).enqueue(body, spans);
    if (!enqueued.queued)
      return Promise.resolve({ ok: false, reason: enqueued.reason });
    void enqueued.outcome.then(outcome => {
      if (!outcome.ok) this.decideHere(peer, body, spans);
    });
    return Promise.resolve({ ok: true });
  }

  /** Spans queued for the peers: this replica holds them until their owners acknowledge them. */
  queuedSpans(): number {
    let spans = 0;
    for (const { queue } of this.queues.values()) spans += queue.queuedSpans();
    return spans;
  }

  /**
   * Sends what lingers in the queues at once; resolves when every forward was acknowledged or
   * decided here.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()].map(q => q.queue.flush()));
    await Promise.all([...this.decidingHere]);
  }

  /**
   * A failed share: decided here while its owner is still a member (its traces' other spans went
   * there too); routed again by trace id once the owner left, so each trace goes to its new owner.
   */
  private decideHere(peer: string, body: Uint8Array, spans: number) {
    const lost = (why: string) => {
      this.options.lost('forward_failed_refused', spans);
      this.options.logger.warn(
        `${spans} spans whose forward failed could not be decided here either: ${why}`,
      );
    };
    const pipeline = this.pipeline;
    if (!pipeline) {
      lost('the pipeline is not running');
      return;
    }
    const deciding = decideRoutedHere(
      pipeline,
      body,
      this.options.isMember(peer),
    )
      .then(
        admission => {
          if (!admission.admitted) lost(admission.message);
        },
        e => lost(String(e)),
      )
      .finally(() => this.decidingHere.delete(deciding));
    this.decidingHere.add(deciding);
  }

  private queueOf(peer: string, shard?: ForwardShard): ForwardQueue {
    const key = shard ? `${peer} ${shard.index}/${shard.of}` : peer;
    let entry = this.queues.get(key);
    if (!entry) {
      // A departed peer's queues go once empty, and so do a peer's queues for a number of
      // workers it no longer runs: the map holds about the members' (workers').
      for (const [k, q] of this.queues)
        if (
          q.queue.queuedBytes() === 0 &&
          (!this.options.isMember(q.peer) ||
            (q.peer === peer && q.of !== (shard?.of ?? 1)))
        ) {
          this.queues.delete(k);
          if (![...this.queues.values()].some(e => e.peer === q.peer))
            this.queueBytes.remove({ peer: q.peer });
        }
      // A peer's workers share its bounds: its bytes queued, its requests in flight.
      const { queue: settings } = this.options;
      const of = shard?.of ?? 1;
      const queue = new ForwardQueue(
        {
          ...settings,
          maxQueueBytes: Math.ceil(settings.maxQueueBytes / of),
          concurrency: Math.max(1, Math.ceil(settings.concurrency / of)),
        },
        {
          send: (body, spans, timeoutMs) =>
            this.send(peer, shard, body, spans, timeoutMs),
          delivered: spans => this.forwarded.inc({ peer }, spans),
          retried: reason => this.retries.inc({ reason }),
          failed: (reason, spans) => this.fail(reason, spans),
        },
        this.options.timers ?? systemTimers,
        this.options.random,
      );
      entry = { peer, of, queue };
      this.queues.set(key, entry);
    }
    return entry.queue;
  }

  private fail(reason: string, spans: number) {
    this.failures.inc({ reason });
    this.failedSpans.inc({ reason }, spans);
  }

  /** One forward request. */
  private async send(
    peer: string,
    shard: ForwardShard | undefined,
    body: Uint8Array,
    spans: number,
    timeoutMs: number,
  ): Promise<SendResult> {
    // A peer that left since: its owner is someone else now; the caller decides here.
    if (!this.options.isMember(peer))
      return { ok: false, reason: 'unknown_peer', retryable: false };
    const gzipped = this.options.compression === 'gzip';
    let token: string;
    let payload: Uint8Array;
    try {
      token = await this.serviceToken();
      payload = gzipped ? await gzipAsync(body, { level: 1 }) : body;
    } catch (e) {
      this.options.logger.warn('could not prepare a forward to a peer', {
        error: String(e),
      });
      return { ok: false, reason: 'internal_error', retryable: false };
    }
    this.requests.inc({ peer });
    try {
      const res = await postToPeer(
        new URL(
          `${peer}/api/${TRACING_HEALTH_PLUGIN_ID}${CLUSTER_INGEST_PATH}`,
        ),
        {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-protobuf',
          ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
          [FORWARDED_BY_HEADER]: this.options.self,
          [FORWARDED_SPANS_HEADER]: String(spans),
          ...(shard
            ? { [FORWARDED_SHARD_HEADER]: `${shard.index}/${shard.of}` }
            : {}),
        },
        payload,
        timeoutMs,
        this.agents,
      );
      const workers = Number(res.headers[OWNER_WORKERS_HEADER]);
      if (
        Number.isInteger(workers) &&
        workers >= 0 &&
        workers <= MAX_PEER_WORKERS
      )
        this.options.peerWorkers?.(peer, workers);
      if (res.status === 200) return { ok: true };
      if (res.status === 401) this.token = undefined;
      return failureOfStatus(res.status, res.retryAfter);
    } catch (e) {
      if (e instanceof PeerTimeoutError)
        return { ok: false, reason: 'timeout', retryable: false };
      // No connection, or it broke (a reused keep-alive socket the peer closed, a peer
      // restarting): nothing was taken, so try again.
      return { ok: false, reason: 'unreachable', retryable: true };
    }
  }

  private async serviceToken(): Promise<string> {
    const now = Date.now();
    if (this.token && this.token.until > now) return this.token.value;
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: TRACING_HEALTH_PLUGIN_ID,
    });
    this.token = { value: token, until: now + TOKEN_REUSE_MS };
    return token;
  }
}
