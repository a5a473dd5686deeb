import { ServiceGraphConnectionType } from '@internal/tracing-model';
import {
  serviceNameOf,
  SPAN_KIND,
  SpanBatch,
  STATUS_CODE,
} from '../otlp/model';
import { EdgeStore } from './edgeStore';
import { pairKey } from './pairKey';
import {
  MAX_SERVICE_NAME_LENGTH,
  OVERFLOW_SERVICE,
  UNKNOWN_SERVICE,
} from '../spanMetrics/labels';
import { DEFAULT_DURATION_BUCKETS_SECONDS } from '../spanMetrics/SpanMetrics';
import { spanDurationSeconds } from '../spanMetrics/spanDuration';
import { PeerInfo, peerInfoOf, serverEndpointOf } from './peerAttributes';
import { registerServiceGraphMetrics } from './serviceGraphMetrics';
import {
  ClientHalf,
  EdgeState,
  Pending,
  ServerHalf,
  ServiceGraphOptions,
  ServiceGraphSnapshot,
} from './types';

export type {
  ServiceGraphEdgeCounters,
  ServiceGraphOptions,
  ServiceGraphSnapshot,
} from './types';

/** At most this many server halves wait on one client span (fan-out of a message to consumers). */
const MAX_SERVERS_PER_CLIENT = 8;

/** Endpoints are learned from an edge's first pairs, then from one pair in this many. */
const LEARN_FIRST = 16;
const LEARN_EVERY = 1024;

function isRoot(parentSpanId: Uint8Array | null | undefined): boolean {
  if (!parentSpanId || parentSpanId.length === 0) return true;
  for (let i = 0; i < parentSpanId.length; i++)
    if (parentSpanId[i] !== 0) return false;
  return true;
}

/**
 * The service graph stage (like the Collector's `servicegraph` connector): pairs each client
 * span with the server span whose parent it is (and producer with consumer) across services, and
 * counts calls, failures and server latency per edge client → server. Unpaired halves wait in a
 * bounded store for `waitMs`. When a client half expires:
 *
 * - if the callee it names (`peer.service`, or the traced service known to answer on its
 *   `server.address:port`, or a traced service called like its `server.address`) sends spans, the
 *   context was lost on the way: the client did not inject it or the server did not extract it
 *   (`broken` on the edge);
 * - otherwise the callee is not traced: an edge to a virtual node named from `peer.service`,
 *   `server.address` or `db.system` (+ `db.namespace`), as Tempo draws it.
 *
 * A server half that expires is an orphan server span: its caller's span never arrived.
 * Spans of one trace reach the same worker (trace-id sharding), so pairing inside one instance is
 * correct; which services are traced and which endpoints they answer on is what this instance has
 * seen. Memory is bounded by `maxPending`, `maxEdges`, `maxServices` and `maxEndpoints`.
 */
export class ServiceGraph {
  private readonly clock: { now(): number };
  private readonly waitMs: number;
  private readonly maxPending: number;
  private readonly maxServices: number;
  private readonly maxEndpoints: number;
  private readonly bounds: readonly number[];
  private readonly pending = new Map<string, Pending>();
  private readonly edgeStore: EdgeStore;
  private readonly edges: readonly EdgeState[];
  private readonly traced = new Set<string>();
  /** Endpoint → the traced service answering on it, or '' when several claim it. */
  private readonly endpoints = new Map<string, string>();
  private readonly orphanServer = new Map<string, number>();
  private readonly unpairedClient = new Map<string, number>();
  private readonly dropped: Record<string, number> = {
    store_full: 0,
    max_edges: 0,
  };

  constructor(options: ServiceGraphOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.waitMs = options.waitMs ?? 10_000;
    this.maxPending = options.maxPending ?? 20_000;
    this.maxServices = options.maxServices ?? 1_000;
    this.maxEndpoints = options.maxEndpoints ?? 1_000;
    this.bounds =
      options.durationBucketsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS;
    for (const [name, v] of Object.entries({
      waitMs: this.waitMs,
      maxPending: this.maxPending,
      maxEdges: options.maxEdges ?? 1_000,
      maxServices: this.maxServices,
      maxEndpoints: this.maxEndpoints,
    })) {
      if (!(v >= 1)) throw new RangeError(`${name} must be at least 1`);
    }
    this.edgeStore = new EdgeStore(
      options.maxEdges ?? 1_000,
      this.bounds,
      this.dropped,
    );
    this.edges = this.edgeStore.edges;
    const edges = this.edges;
    const pending = this.pending;
    registerServiceGraphMetrics(options.registry, {
      edges: () => edges,
      sweep: () => this.sweep(),
      bounds: this.bounds,
      dropped: this.dropped,
      pendingCount: () => pending.size,
      orphanServer: this.orphanServer,
      unpairedClient: this.unpairedClient,
    });
  }

  /** Pairs the spans of a batch of accepted spans. Never throws on odd span data. */
  record(batch: SpanBatch): void {
    const now = this.clock.now();
    this.sweep(now);
    for (const resourceSpans of batch.resourceSpans) {
      const service = this.serviceLabel(
        serviceNameOf(resourceSpans.resource) ?? UNKNOWN_SERVICE,
      );
      if (this.traced.size < this.maxServices) this.traced.add(service);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          if (!span.traceId?.length || !span.spanId?.length) continue;
          const kind = span.kind;
          const isServer =
            kind === SPAN_KIND.SERVER || kind === SPAN_KIND.CONSUMER;
          const isClient =
            kind === SPAN_KIND.CLIENT || kind === SPAN_KIND.PRODUCER;
          const failed = span.status?.code === STATUS_CODE.ERROR;

          // 1. Does a client half wait for this span (its parent), or must this server span wait?
          if (!isRoot(span.parentSpanId)) {
            const key = pairKey(span.traceId, span.parentSpanId!);
            const waiting = this.pending.get(key);
            if (waiting?.side === 'client') {
              if (isServer || waiting.service !== service) {
                if (waiting.messaging) waiting.paired = true;
                else this.pending.delete(key);
                this.pair(waiting, {
                  service,
                  messaging: kind === SPAN_KIND.CONSUMER,
                  failed,
                  seconds: spanDurationSeconds(
                    span.startTimeUnixNano,
                    span.endTimeUnixNano,
                  ),
                });
              } else {
                waiting.hasLocalChild = true;
              }
            } else if (isServer) {
              const half: ServerHalf = {
                service,
                messaging: kind === SPAN_KIND.CONSUMER,
                failed,
                seconds: spanDurationSeconds(
                  span.startTimeUnixNano,
                  span.endTimeUnixNano,
                ),
              };
              if (waiting) {
                if (waiting.halves.length < MAX_SERVERS_PER_CLIENT)
                  waiting.halves.push(half);
              } else {
                this.hold(key, {
                  side: 'server',
                  deadline: now + this.waitMs,
                  halves: [half],
                });
              }
            }
          } else if (kind === SPAN_KIND.SERVER) {
            // A server span that starts its own trace: remember where it answers, so calls to it
            // that never join its traces can be told from calls to an untraced dependency.
            this.learnEndpoint(serverEndpointOf(span.attributes), service);
          }

          // 2. Do server halves wait for this span? A client span, or a span of no kind that may be
          // a call its SDK did not mark (servers and consumers are not callers).
          if (!isClient && (isServer || this.pending.size === 0)) continue;
          const key = pairKey(span.traceId, span.spanId);
          const waiting = this.pending.get(key);
          if (waiting?.side === 'server') {
            this.pending.delete(key);
            const client: ClientHalf = {
              side: 'client',
              deadline: 0,
              service,
              messaging: kind === SPAN_KIND.PRODUCER,
              failed,
              seconds: spanDurationSeconds(
                span.startTimeUnixNano,
                span.endTimeUnixNano,
              ),
              attributes: isClient ? span.attributes : undefined,
              hasLocalChild: false,
              paired: true,
            };
            for (const half of waiting.halves) {
              // A non-client parent of the same service is a local parent, not a call.
              if (isClient || half.service !== service) this.pair(client, half);
            }
            if (client.messaging) {
              client.deadline = now + this.waitMs;
              this.hold(key, client);
            }
          } else if (isClient && !waiting) {
            this.hold(key, {
              side: 'client',
              deadline: now + this.waitMs,
              service,
              messaging: kind === SPAN_KIND.PRODUCER,
              failed,
              seconds: spanDurationSeconds(
                span.startTimeUnixNano,
                span.endTimeUnixNano,
              ),
              attributes: span.attributes,
              hasLocalChild: false,
              paired: false,
            });
          }
        }
      }
    }
  }

  /** Settles every half whose wait has ended by `now`. */
  sweep(now: number = this.clock.now()): void {
    // Deadlines grow with insertion order, so the expired halves are a prefix of the map.
    for (const [key, entry] of this.pending) {
      if (entry.deadline > now) break;
      this.pending.delete(key);
      if (entry.side === 'client') this.expireClient(entry);
      else
        for (const half of entry.halves)
          this.countInto(this.orphanServer, half.service);
    }
  }

  /** Cumulative counters, after settling the halves whose wait has ended. */
  snapshot(): ServiceGraphSnapshot {
    const now = this.clock.now();
    this.sweep(now);
    return {
      takenAtMs: now,
      durationBoundsSeconds: this.bounds,
      edges: this.edges.map(({ learned: _learned, ...e }) => ({
        ...e,
        durationCounts: [...e.durationCounts],
      })),
      orphanServerSpans: Object.fromEntries(this.orphanServer),
      unpairedClientSpans: Object.fromEntries(this.unpairedClient),
      dropped: { ...this.dropped },
      pending: this.pending.size,
    };
  }

  private serviceLabel(name: string): string {
    return name.length <= MAX_SERVICE_NAME_LENGTH ? name : OVERFLOW_SERVICE;
  }

  private hold(key: string, entry: Pending) {
    if (this.pending.size >= this.maxPending) {
      this.dropped.store_full++;
      return;
    }
    this.pending.set(key, entry);
  }

  private learnEndpoint(endpoint: string | undefined, service: string) {
    if (!endpoint) return;
    const known = this.endpoints.get(endpoint);
    if (known === undefined) {
      if (this.endpoints.size < this.maxEndpoints)
        this.endpoints.set(endpoint, service);
    } else if (known !== service && known !== '') {
      // Several services answer there (a gateway, a shared host): it names none of them.
      this.endpoints.set(endpoint, '');
    }
  }

  private pair(client: ClientHalf, server: ServerHalf) {
    const type: ServiceGraphConnectionType =
      client.messaging || server.messaging ? 'messaging_system' : '';
    const edge = this.edgeStore.edgeFor(client.service, server.service, type);
    if (!edge) return;
    if (
      client.attributes &&
      (edge.learned < LEARN_FIRST || edge.requests % LEARN_EVERY === 0)
    ) {
      edge.learned++;
      this.learnEndpoint(
        peerInfoOf(client.attributes).endpoint,
        server.service,
      );
    }
    edge.requests++;
    if (client.failed || server.failed) edge.failed++;
    this.edgeStore.observe(edge, server.seconds);
  }

  /** The traced service a client half's attributes point to, if any. */
  private tracedCallee(peer: PeerInfo): string | undefined {
    if (peer.peerService && this.traced.has(peer.peerService))
      return peer.peerService;
    const byEndpoint = peer.endpoint
      ? this.endpoints.get(peer.endpoint)
      : undefined;
    if (byEndpoint) return byEndpoint;
    if (peer.address && this.traced.has(peer.address)) return peer.address;
    return undefined;
  }

  private expireClient(client: ClientHalf) {
    if (client.paired || client.hasLocalChild) return;
    const peer = peerInfoOf(client.attributes);
    const callee = this.tracedCallee(peer);
    if (callee !== undefined) {
      const edge = this.edgeStore.edgeFor(
        client.service,
        callee,
        client.messaging ? 'messaging_system' : '',
      );
      if (edge) edge.broken++;
      return;
    }
    const p = peer;
    const name = client.messaging
      ? p.peerService ?? p.messaging ?? p.address ?? p.database
      : p.peerService ?? p.address ?? p.database ?? p.messaging;
    if (!name) {
      this.countInto(this.unpairedClient, client.service);
      return;
    }
    const edge = this.edgeStore.edgeFor(client.service, name, 'virtual_node');
    if (!edge) return;
    edge.requests++;
    if (client.failed) edge.failed++;
    this.edgeStore.observe(edge, client.seconds);
  }

  private countInto(map: Map<string, number>, service: string) {
    const key =
      map.has(service) || map.size < this.maxServices
        ? service
        : OVERFLOW_SERVICE;
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}
