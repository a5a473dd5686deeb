import { Knex } from 'knex';
import { ServiceGraphConnectionType } from '@internal/plugin-tracing-health-common';

const TABLE = 'tracing_health_service_graph_rollups';

/** Counts of one edge (or, with client '', one server's orphan server spans) over a bucket. */
export interface EdgeCounts {
  requests: number;
  failed: number;
  broken: number;
  orphanServerSpans: number;
  durationSumSeconds: number;
  /** Calls per duration bucket (not cumulative), the last one +Inf. */
  durationCounts: number[];
}

export interface EdgeKey {
  client: string;
  server: string;
  connectionType: ServiceGraphConnectionType;
}

export interface EdgeRollupRow extends EdgeKey, EdgeCounts {
  bucketStartMs: number;
  instanceId: string;
}

interface DbRow {
  client: string;
  server: string;
  connection_type: string;
  bucket_start: number | string;
  instance_id: string;
  requests: number | string;
  failed: number | string;
  broken: number | string;
  orphan_server_spans: number | string;
  duration_sum_seconds: number | string;
  duration_counts: string;
}

export function emptyEdgeCounts(buckets: number): EdgeCounts {
  return {
    requests: 0,
    failed: 0,
    broken: 0,
    orphanServerSpans: 0,
    durationSumSeconds: 0,
    durationCounts: new Array(buckets).fill(0),
  };
}

/** Adds `b` into `a` (histograms of different shapes are not added). */
export function addEdgeCounts(a: EdgeCounts, b: EdgeCounts): void {
  a.requests += b.requests;
  a.failed += b.failed;
  a.broken += b.broken;
  a.orphanServerSpans += b.orphanServerSpans;
  a.durationSumSeconds += b.durationSumSeconds;
  if (a.durationCounts.length === b.durationCounts.length)
    for (let i = 0; i < b.durationCounts.length; i++)
      a.durationCounts[i] += b.durationCounts[i];
}

function parseCounts(json: string): number[] {
  try {
    const value = JSON.parse(json);
    return Array.isArray(value) && value.every(v => typeof v === 'number')
      ? value
      : [];
  } catch {
    return [];
  }
}

const CONNECTION_TYPES = new Set(['', 'messaging_system', 'virtual_node']);

// PostgreSQL returns bigint columns as strings.
function fromDb(row: DbRow): EdgeRollupRow {
  return {
    client: row.client,
    server: row.server,
    connectionType: (CONNECTION_TYPES.has(row.connection_type)
      ? row.connection_type
      : '') as ServiceGraphConnectionType,
    bucketStartMs: Number(row.bucket_start),
    instanceId: row.instance_id,
    requests: Number(row.requests),
    failed: Number(row.failed),
    broken: Number(row.broken),
    orphanServerSpans: Number(row.orphan_server_spans),
    durationSumSeconds: Number(row.duration_sum_seconds),
    durationCounts: parseCounts(row.duration_counts),
  };
}

function toDb(row: EdgeRollupRow): DbRow {
  return {
    client: row.client,
    server: row.server,
    connection_type: row.connectionType,
    bucket_start: row.bucketStartMs,
    instance_id: row.instanceId,
    requests: row.requests,
    failed: row.failed,
    broken: row.broken,
    orphan_server_spans: row.orphanServerSpans,
    duration_sum_seconds: row.durationSumSeconds,
    duration_counts: JSON.stringify(row.durationCounts),
  };
}

/** The service graph rollup table (migration `20261204010000_service_graph.js`). */
export class ServiceGraphRollupStore {
  constructor(private readonly knex: Knex) {}

  /** Writes rows, replacing this process's earlier version of the same bucket. */
  async upsert(rows: EdgeRollupRow[]): Promise<void> {
    // 11 columns a row keeps each statement under SQLite's 999 bound parameters.
    const chunkSize = 80;
    await this.knex.transaction(async tx => {
      for (let i = 0; i < rows.length; i += chunkSize) {
        await tx(TABLE)
          .insert(rows.slice(i, i + chunkSize).map(toDb))
          .onConflict([
            'client',
            'server',
            'connection_type',
            'bucket_start',
            'instance_id',
          ])
          .merge();
      }
    });
  }

  /** Rows with `bucket_start >= fromMs`. */
  async rows(fromMs: number): Promise<EdgeRollupRow[]> {
    return (
      await this.knex<DbRow>(TABLE).where('bucket_start', '>=', fromMs)
    ).map(fromDb);
  }

  /** Deletes rows older than `beforeMs`; returns how many. */
  async deleteBefore(beforeMs: number): Promise<number> {
    return this.knex(TABLE).where('bucket_start', '<', beforeMs).delete();
  }

  /** Keeps at most `maxRows` rows, deleting the oldest buckets; returns how many. */
  async trimToMaxRows(maxRows: number): Promise<number> {
    const row = await this.knex(TABLE).count({ n: '*' }).first();
    if (Number(row?.n ?? 0) <= maxRows) return 0;
    const cutoff = await this.knex(TABLE)
      .select('bucket_start')
      .orderBy('bucket_start', 'desc')
      .offset(maxRows)
      .limit(1)
      .first();
    if (!cutoff) return 0;
    return this.knex(TABLE)
      .where('bucket_start', '<=', Number(cutoff.bucket_start))
      .delete();
  }
}
