import { Knex } from 'knex';

const TABLE = 'tracing_health_cluster_members';

export interface ClusterMemberRow {
  memberId: string;
  instanceId: string;
  startedAtMs: number;
  lastSeenMs: number;
  /** Spans the run held in memory (accepted, not yet exported or dropped) at its last heartbeat. */
  heldSpans: number;
}

/** A run that ended without removing its row, claimed by whoever counts its loss. */
export interface LostRun {
  memberId: string;
  instanceId: string;
  heldSpans: number;
}

const rowOf = (r: any): ClusterMemberRow => ({
  memberId: r.member_id,
  instanceId: r.instance_id,
  startedAtMs: Number(r.started_at_ms),
  lastSeenMs: Number(r.last_seen_ms),
  heldSpans: Number(r.held_spans),
});

/** The replicas' rows in `tracing_health_cluster_members` (see the migration). */
export class ClusterMemberStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Registers or refreshes this run of a member (the latest run of an id wins the row). A new run
   * replacing an earlier run's row that nobody counted as lost (it died within the TTL, and the
   * same member restarted) claims it first: the earlier run is returned, to be counted.
   */
  async heartbeat(row: ClusterMemberRow): Promise<LostRun | undefined> {
    const replaced = await this.claimLoss(
      this.knex(TABLE)
        .where('member_id', row.memberId)
        .whereNot('instance_id', row.instanceId),
    );
    await this.knex(TABLE)
      .insert({
        member_id: row.memberId,
        instance_id: row.instanceId,
        started_at_ms: row.startedAtMs,
        last_seen_ms: row.lastSeenMs,
        held_spans: row.heldSpans,
        loss_counted: false,
      })
      .onConflict('member_id')
      .merge([
        'instance_id',
        'started_at_ms',
        'last_seen_ms',
        'held_spans',
        'loss_counted',
      ]);
    return replaced[0];
  }

  /**
   * Claims the runs that stopped heartbeating before `beforeMs` without removing their row and
   * that nobody has counted yet. Each is returned to exactly one caller across the replicas: the
   * claim is a conditional update of the row, and only the replica whose update took it counts.
   */
  async claimExpired(beforeMs: number): Promise<LostRun[]> {
    return this.claimLoss(
      this.knex(TABLE).where('last_seen_ms', '<', beforeMs),
    );
  }

  private async claimLoss(candidates: Knex.QueryBuilder): Promise<LostRun[]> {
    const rows = await candidates
      .clone()
      .where('loss_counted', false)
      .select('member_id', 'instance_id', 'held_spans')
      .limit(100);
    const claimed: LostRun[] = [];
    for (const r of rows) {
      const updated = await this.knex(TABLE)
        .where({
          member_id: r.member_id,
          instance_id: r.instance_id,
          loss_counted: false,
        })
        .update({ loss_counted: true });
      if (updated === 1)
        claimed.push({
          memberId: r.member_id,
          instanceId: r.instance_id,
          heldSpans: Number(r.held_spans),
        });
    }
    return claimed;
  }

  /** Members seen at or after `sinceMs`, ordered by id. */
  async seenSince(sinceMs: number): Promise<ClusterMemberRow[]> {
    const rows = await this.knex(TABLE)
      .where('last_seen_ms', '>=', sinceMs)
      .orderBy('member_id')
      .limit(10_000);
    return rows.map(rowOf);
  }

  /** Removes this run's row (not a newer run's of the same id). */
  async remove(memberId: string, instanceId: string): Promise<void> {
    await this.knex(TABLE)
      .where({ member_id: memberId, instance_id: instanceId })
      .delete();
  }

  /** Deletes rows not seen since `beforeMs` (replicas that died without removing themselves). */
  async prune(beforeMs: number): Promise<number> {
    return this.knex(TABLE).where('last_seen_ms', '<', beforeMs).delete();
  }
}
