import { Knex } from 'knex';
import {
  CheckHistoryPoint,
  CheckMeasurement,
  CheckResult,
  CheckStatus,
  RunbookId,
} from '@internal/plugin-tracing-health-common';
import { CheckState } from '@internal/plugin-tracing-health-node';

const RUNS = 'tracing_health_check_runs';
const TRANSITIONS = 'tracing_health_check_transitions';

/** A change of a check's status, as stored. */
export interface CheckTransition {
  checkId: string;
  checkType: string;
  from?: CheckStatus;
  to: CheckStatus;
  message: string;
  runbookId: RunbookId;
  at: Date;
}

/** The latest run of a check with the time its current status began. */
export interface LatestCheckResult {
  result: CheckResult;
  state?: CheckState;
  statusSince?: Date;
}

// better-sqlite3 hands timestamps back as epoch milliseconds, PostgreSQL as Date.
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const numeric = Number(value);
  return Number.isFinite(numeric) ? new Date(numeric) : new Date(String(value));
}

function toNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function rowToResult(row: any): CheckResult {
  return {
    checkId: row.check_id,
    checkType: row.check_type,
    status: row.status,
    message: row.message,
    value: toNumber(row.value),
    threshold: toNumber(row.threshold),
    unit: row.unit ?? undefined,
    runbookId: row.runbook_id,
    service: row.service ?? undefined,
    measurements: JSON.parse(row.measurements_json) as CheckMeasurement[],
    startedAt: toDate(row.started_at).toISOString(),
    durationMs: Number(row.duration_ms),
  };
}

function rowToTransition(row: any): CheckTransition {
  return {
    checkId: row.check_id,
    checkType: row.check_type,
    from: row.from_status ?? undefined,
    to: row.to_status,
    message: row.message,
    runbookId: row.runbook_id,
    at: toDate(row.at),
  };
}

/**
 * Check runs and status transitions in the plugin's database. Each check runs on one replica at
 * a time (global scheduler scope), so reading the previous status and writing the new one need
 * no lock beyond the transaction.
 */
export class CheckResultStore {
  constructor(private readonly knex: Knex) {}

  /** Stores a run; returns the transition when the status changed (or the check is new). */
  async record(
    result: CheckResult,
    state?: CheckState,
  ): Promise<CheckTransition | undefined> {
    return this.knex.transaction(async tx => {
      const previous = await tx(RUNS)
        .where('check_id', result.checkId)
        .orderBy('id', 'desc')
        .first('status');
      await tx(RUNS).insert({
        check_id: result.checkId,
        check_type: result.checkType,
        status: result.status,
        message: result.message,
        value: result.value ?? null,
        threshold: result.threshold ?? null,
        unit: result.unit ?? null,
        runbook_id: result.runbookId,
        service: result.service ?? null,
        measurements_json: JSON.stringify(result.measurements),
        state_json: state ? JSON.stringify(state) : null,
        started_at: new Date(result.startedAt),
        duration_ms: Math.round(result.durationMs),
      });
      if (previous?.status === result.status) return undefined;
      const transition: CheckTransition = {
        checkId: result.checkId,
        checkType: result.checkType,
        from: previous?.status,
        to: result.status,
        message: result.message,
        runbookId: result.runbookId,
        at: new Date(result.startedAt),
      };
      await tx(TRANSITIONS).insert({
        check_id: transition.checkId,
        check_type: transition.checkType,
        from_status: transition.from ?? null,
        to_status: transition.to,
        message: transition.message,
        runbook_id: transition.runbookId,
        at: transition.at,
      });
      return transition;
    });
  }

  /** The latest run of one check, with the state it left for the next run. */
  async latest(checkId: string): Promise<LatestCheckResult | undefined> {
    const row = await this.knex(RUNS)
      .where('check_id', checkId)
      .orderBy('id', 'desc')
      .first();
    if (!row) return undefined;
    return {
      result: rowToResult(row),
      state: row.state_json ? JSON.parse(row.state_json) : undefined,
    };
  }

  /** The latest run of every check that has run, by check id. */
  async latestAll(): Promise<Map<string, LatestCheckResult>> {
    const rows = await this.knex(RUNS).whereIn(
      'id',
      this.knex(RUNS).max('id').groupBy('check_id'),
    );
    const since = await this.knex(TRANSITIONS)
      .whereIn('id', this.knex(TRANSITIONS).max('id').groupBy('check_id'))
      .select('check_id', 'at');
    const sinceById = new Map(since.map(r => [r.check_id, toDate(r.at)]));
    return new Map(
      rows.map(row => [
        row.check_id,
        {
          result: rowToResult(row),
          statusSince: sinceById.get(row.check_id),
        },
      ]),
    );
  }

  /** The last `limit` runs of every check, oldest first, by check id. */
  async recent(limit: number): Promise<Map<string, CheckHistoryPoint[]>> {
    const ranked = this.knex(RUNS)
      .select(
        'check_id',
        'status',
        'value',
        'started_at',
        'id',
        this.knex.raw(
          'row_number() over (partition by check_id order by id desc) as rank',
        ),
      )
      .as('ranked');
    const rows = await this.knex
      .from(ranked)
      .where('rank', '<=', limit)
      .orderBy('id', 'asc');
    const byId = new Map<string, CheckHistoryPoint[]>();
    for (const row of rows) {
      const points = byId.get(row.check_id) ?? [];
      points.push({
        status: row.status,
        startedAt: toDate(row.started_at).toISOString(),
        value: toNumber(row.value),
      });
      byId.set(row.check_id, points);
    }
    return byId;
  }

  /** Runs of one check, newest first. */
  async history(
    checkId: string,
    options: { limit: number; before?: Date },
  ): Promise<CheckResult[]> {
    const query = this.knex(RUNS)
      .where('check_id', checkId)
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.before) query.where('started_at', '<', options.before);
    return (await query).map(rowToResult);
  }

  /**
   * Transitions in `[from, to)`, plus the last transition of each check before `from` (the
   * status each check was in when the period began), oldest first.
   */
  async transitions(from: Date, to: Date): Promise<CheckTransition[]> {
    const before = await this.knex(TRANSITIONS).whereIn(
      'id',
      this.knex(TRANSITIONS)
        .max('id')
        .where('at', '<', from)
        .groupBy('check_id'),
    );
    const within = await this.knex(TRANSITIONS)
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('id', 'asc');
    return [...before, ...within].map(rowToTransition);
  }

  /**
   * Deletes runs older than `runsBefore` (always keeping each check's latest run, whose state
   * the next run needs) and transitions older than `transitionsBefore` (keeping each check's
   * latest, which says what status it is in).
   */
  async prune(options: { runsBefore: Date; transitionsBefore: Date }) {
    const runs = await this.knex(RUNS)
      .where('started_at', '<', options.runsBefore)
      .whereNotIn('id', this.knex(RUNS).max('id').groupBy('check_id'))
      .delete();
    const transitions = await this.knex(TRANSITIONS)
      .where('at', '<', options.transitionsBefore)
      .whereNotIn('id', this.knex(TRANSITIONS).max('id').groupBy('check_id'))
      .delete();
    return { runs, transitions };
  }
}
