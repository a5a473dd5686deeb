import { Knex } from 'knex';
import { RollupRow } from './rollupRow';

const TABLE = 'tracing_health_coverage_rollups';

interface DbRow {
  service: string;
  bucket_start: number | string;
  instance_id: string;
  spans: number | string;
  error_spans: number | string;
  root_spans: number | string;
  entry_spans: number | string;
  orphan_spans: number | string;
  complete_traces: number | string;
  incomplete_traces: number | string;
  duration_sum_seconds: number | string;
  duration_counts: string;
  last_seen: number | string | null;
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

// PostgreSQL returns bigint columns as strings.
function fromDb(row: DbRow): RollupRow {
  return {
    service: row.service,
    bucketStartMs: Number(row.bucket_start),
    instanceId: row.instance_id,
    spans: Number(row.spans),
    errorSpans: Number(row.error_spans),
    rootSpans: Number(row.root_spans),
    entrySpans: Number(row.entry_spans ?? 0),
    orphanSpans: Number(row.orphan_spans),
    completeTraces: Number(row.complete_traces),
    incompleteTraces: Number(row.incomplete_traces),
    durationSumSeconds: Number(row.duration_sum_seconds),
    durationCounts: parseCounts(row.duration_counts),
    lastSeenMs: row.last_seen === null ? undefined : Number(row.last_seen),
  };
}

function toDb(row: RollupRow): DbRow {
  return {
    service: row.service,
    bucket_start: row.bucketStartMs,
    instance_id: row.instanceId,
    spans: row.spans,
    error_spans: row.errorSpans,
    root_spans: row.rootSpans,
    entry_spans: row.entrySpans,
    orphan_spans: row.orphanSpans,
    complete_traces: row.completeTraces,
    incomplete_traces: row.incompleteTraces,
    duration_sum_seconds: row.durationSumSeconds,
    duration_counts: JSON.stringify(row.durationCounts),
    last_seen: row.lastSeenMs ?? null,
  };
}

/** The coverage rollup table (migrations `20261122020000_coverage.js`, `20261204000000_coverage_entry_spans.js`). */
export class CoverageRollupStore {
  constructor(private readonly knex: Knex) {}

  /** Writes rows, replacing this process's earlier version of the same bucket. */
  async upsert(rows: RollupRow[]): Promise<void> {
    // 13 columns a row keeps each statement under SQLite's 999 bound parameters.
    const chunkSize = 76;
    await this.knex.transaction(async tx => {
      for (let i = 0; i < rows.length; i += chunkSize) {
        await tx(TABLE)
          .insert(rows.slice(i, i + chunkSize).map(toDb))
          .onConflict(['service', 'bucket_start', 'instance_id'])
          .merge();
      }
    });
  }

  /** Rows with `bucket_start >= fromMs` (and `< toMs` when given), optionally of one service. */
  async rows(options: {
    fromMs: number;
    toMs?: number;
    service?: string;
  }): Promise<RollupRow[]> {
    const query = this.knex<DbRow>(TABLE).where(
      'bucket_start',
      '>=',
      options.fromMs,
    );
    if (options.toMs !== undefined)
      query.andWhere('bucket_start', '<', options.toMs);
    if (options.service !== undefined)
      query.andWhere('service', options.service);
    return (await query.orderBy('bucket_start')).map(fromDb);
  }

  /** The latest `last_seen` of every service that has one. */
  async lastSeenByService(): Promise<Map<string, number>> {
    const rows: { service: string; last_seen: number | string | null }[] =
      await this.knex(TABLE)
        .select('service')
        .max({ last_seen: 'last_seen' })
        .whereNotNull('last_seen')
        .groupBy('service');
    const out = new Map<string, number>();
    for (const row of rows)
      if (row.last_seen !== null) out.set(row.service, Number(row.last_seen));
    return out;
  }

  async earliestBucketStart(): Promise<number | undefined> {
    const row = await this.knex(TABLE)
      .min({ earliest: 'bucket_start' })
      .first();
    return row?.earliest === null || row?.earliest === undefined
      ? undefined
      : Number(row.earliest);
  }

  /** Deletes rows older than `beforeMs`; returns how many. */
  async deleteBefore(beforeMs: number): Promise<number> {
    return this.knex(TABLE).where('bucket_start', '<', beforeMs).delete();
  }

  /** Keeps at most `maxRows` rows per service, deleting the oldest buckets; returns how many. */
  async trimToMaxRowsPerService(maxRows: number): Promise<number> {
    const over: { service: string }[] = await this.knex(TABLE)
      .select('service')
      .groupBy('service')
      .havingRaw('count(*) > ?', [maxRows]);
    let deleted = 0;
    for (const { service } of over) {
      const cutoff = await this.knex(TABLE)
        .select('bucket_start')
        .where({ service })
        .orderBy('bucket_start', 'desc')
        .offset(maxRows)
        .limit(1)
        .first();
      if (cutoff) {
        deleted += await this.knex(TABLE)
          .where({ service })
          .andWhere('bucket_start', '<=', Number(cutoff.bucket_start))
          .delete();
      }
    }
    return deleted;
  }
}
