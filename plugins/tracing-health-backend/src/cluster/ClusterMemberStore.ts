import { Knex } from 'knex';

const TABLE = 'tracing_health_cluster_members';

export interface ClusterMemberRow {
  memberId: string;
  instanceId: string;
  startedAtMs: number;
  lastSeenMs: number;
}

/** The replicas' rows in `tracing_health_cluster_members` (see the migration). */
export class ClusterMemberStore {
  constructor(private readonly knex: Knex) {}

  /** Registers or refreshes this run of a member (the latest run of an id wins the row). */
  async heartbeat(row: ClusterMemberRow): Promise<void> {
    await this.knex(TABLE)
      .insert({
        member_id: row.memberId,
        instance_id: row.instanceId,
        started_at_ms: row.startedAtMs,
        last_seen_ms: row.lastSeenMs,
      })
      .onConflict('member_id')
      .merge(['instance_id', 'started_at_ms', 'last_seen_ms']);
  }

  /** Members seen at or after `sinceMs`, ordered by id. */
  async seenSince(sinceMs: number): Promise<ClusterMemberRow[]> {
    const rows = await this.knex(TABLE)
      .where('last_seen_ms', '>=', sinceMs)
      .orderBy('member_id')
      .limit(10_000);
    return rows.map(r => ({
      memberId: r.member_id,
      instanceId: r.instance_id,
      startedAtMs: Number(r.started_at_ms),
      lastSeenMs: Number(r.last_seen_ms),
    }));
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
