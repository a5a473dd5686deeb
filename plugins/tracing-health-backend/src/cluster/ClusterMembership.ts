import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CLUSTER_LOST_SPANS_REASONS,
  CLUSTER_METRICS,
  ClusterLostSpansReason,
} from '@internal/plugin-tracing-health-common';
import type { ClusterView } from '@internal/tracing-pipeline';
import { Counter, Gauge, Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import {
  ClusterMemberRow,
  ClusterMemberStore,
  LostRun,
} from './ClusterMemberStore';

export interface ClusterMembershipOptions {
  store: ClusterMemberStore;
  /** This replica's member id: its advertised internal base URL. */
  self: string;
  heartbeatMs: number;
  ttlMs: number;
  registry: Registry;
  logger: LoggerService;
  /**
   * Spans this replica holds in memory (accepted, not yet exported or dropped), reported with
   * each heartbeat: what the others count as lost should this replica die without stopping.
   */
  heldSpans?: () => number;
  /** Epoch ms (tests). */
  now?: () => number;
}

/** Rows not seen for this many TTLs are deleted (replicas that died without removing themselves). */
const PRUNE_AFTER_TTLS = 30;

/**
 * This replica's membership of the cluster: a row in the shared database refreshed every
 * heartbeat once `join`ed, and the live members (seen within the TTL) read on the same beat. The
 * view always holds this replica; a database that fails keeps the last view (logged once per
 * outage). Clocks are compared across replicas: they are assumed in sync well within the TTL.
 */
export class ClusterMembership {
  readonly instanceId = randomUUID();
  private readonly now: () => number;
  private readonly startedAtMs: number;
  private current: ClusterView;
  private rows: ClusterMemberRow[] = [];
  private readonly listeners = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private joined = false;
  private stopped = false;
  private failing = false;
  private ticking?: Promise<void>;
  private readonly membersGauge: Gauge;
  private readonly changes: Counter<'change'>;
  private readonly lostSpans: Counter<'reason'>;

  constructor(private readonly options: ClusterMembershipOptions) {
    this.now = options.now ?? Date.now;
    this.startedAtMs = this.now();
    this.current = { self: options.self, members: [options.self] };
    this.membersGauge = new Gauge({
      name: CLUSTER_METRICS.members,
      help: 'Live portal replicas in the cluster (seen within the member TTL), this one included.',
      registers: [options.registry],
    });
    this.membersGauge.set(1);
    this.changes = new Counter({
      name: CLUSTER_METRICS.ownershipChanges,
      help: 'Members that joined or left this replica’s view; each moves only its own share of the traces.',
      labelNames: ['change'],
      registers: [options.registry],
    });
    this.lostSpans = new Counter({
      name: CLUSTER_METRICS.lostSpans,
      help: 'Spans lost by a replica: held when it ended without stopping (replica_died: its row expired; replica_restarted: its next run replaced the row first), as of its last heartbeat, counted once across the replicas; or of a failed forward the replica could not decide itself either (forward_failed_refused).',
      labelNames: ['reason'],
      registers: [options.registry],
    });
    // Every reason exists from the start, so a query or alert sees 0 rather than no series.
    for (const reason of CLUSTER_LOST_SPANS_REASONS)
      this.lostSpans.inc({ reason }, 0);
  }

  /** Counts spans lost (see CLUSTER_LOST_SPANS_REASONS). */
  countLostSpans(reason: ClusterLostSpansReason, spans: number) {
    this.lostSpans.inc({ reason }, spans);
  }

  /** Reads the live members and starts the beat (without registering: see `join`). */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Registers this replica, so the others route its share of the traces to it. */
  async join(): Promise<void> {
    if (this.stopped) return;
    this.joined = true;
    await this.tick();
  }

  /** Removes this replica's row, so the others stop routing to it within a heartbeat. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    if (!this.joined) return;
    try {
      await this.options.store.remove(this.options.self, this.instanceId);
    } catch (e) {
      this.options.logger.warn(
        'could not remove this replica from the cluster members; the others drop it after the TTL',
        { error: String(e) },
      );
    }
  }

  view(): ClusterView {
    return this.current;
  }

  /** The live members' rows as last read (this replica's own once it has joined). */
  memberRows(): readonly ClusterMemberRow[] {
    return this.rows;
  }

  isMember(id: string): boolean {
    return this.current.members.includes(id);
  }

  /**
   * What a peer said of its pipeline workers (see PeerForwarder's `peerWorkers`): a new view
   * holds it while the peer is a member, so shares for it are split by its workers.
   */
  setWorkers(peer: string, workers: number) {
    if (this.stopped || !this.isMember(peer) || peer === this.options.self)
      return;
    const known = this.current.shards?.[peer] ?? 1;
    const now = Math.max(1, workers);
    if (known === now) return;
    const shards = { ...this.current.shards };
    if (now > 1) shards[peer] = now;
    else delete shards[peer];
    this.current = this.viewOf(this.current.members, shards);
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One beat: heartbeat (when joined), read the live members, update the view. */
  tick(): Promise<void> {
    this.ticking ??= this.beat().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async beat() {
    const { store, self, ttlMs, logger } = this.options;
    const now = this.now();
    try {
      if (this.joined && !this.stopped) {
        const replaced = await store.heartbeat({
          memberId: self,
          instanceId: this.instanceId,
          startedAtMs: this.startedAtMs,
          lastSeenMs: now,
          heldSpans: this.options.heldSpans?.() ?? 0,
        });
        if (replaced) this.countLost('replica_restarted', [replaced]);
      }
      const rows = await store.seenSince(now - ttlMs);
      if (this.joined) {
        this.countLost('replica_died', await store.claimExpired(now - ttlMs));
        if (Math.floor(now / ttlMs) % 10 === 0)
          await store.prune(now - PRUNE_AFTER_TTLS * ttlMs);
      }
      if (this.failing) {
        this.failing = false;
        logger.info('cluster membership is read from the database again');
      }
      if (!this.stopped) this.rows = rows;
      this.update(rows.map(r => r.memberId));
    } catch (e) {
      if (!this.failing) {
        this.failing = true;
        logger.warn(
          'could not refresh the cluster membership; routing keeps the last known members',
          { error: String(e) },
        );
      }
    }
  }

  private countLost(reason: ClusterLostSpansReason, runs: LostRun[]) {
    for (const run of runs) {
      this.countLostSpans(reason, run.heldSpans);
      this.options.logger.warn(
        `a replica ended without stopping; the ${run.heldSpans} spans it held at its last heartbeat are lost`,
        { member: run.memberId, instance: run.instanceId, reason },
      );
    }
  }

  private viewOf(
    members: readonly string[],
    shards: Record<string, number>,
  ): ClusterView {
    const { self } = this.options;
    return Object.keys(shards).length
      ? { self, members, shards }
      : { self, members };
  }

  private update(ids: string[]) {
    if (this.stopped) return;
    const members = [...new Set([...ids, this.options.self])].sort();
    const before = new Set(this.current.members);
    const joined = members.filter(m => !before.has(m));
    const left = [...before].filter(m => !members.includes(m));
    this.membersGauge.set(members.length);
    if (!joined.length && !left.length) return;
    // What a member said of its workers holds until it leaves (a restart may change it: its
    // answers say so again).
    const shards = Object.fromEntries(
      Object.entries(this.current.shards ?? {}).filter(([id]) =>
        members.includes(id),
      ),
    );
    this.current = this.viewOf(members, shards);
    if (joined.length) this.changes.inc({ change: 'joined' }, joined.length);
    if (left.length) this.changes.inc({ change: 'left' }, left.length);
    this.options.logger.info('cluster members changed', {
      members: members.join(', '),
      joined: joined.join(', '),
      left: left.join(', '),
    });
    for (const listener of this.listeners) listener();
  }
}
