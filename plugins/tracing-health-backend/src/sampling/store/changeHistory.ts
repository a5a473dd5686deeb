import {
  SamplingHistoryAction,
  SamplingHistoryEntry,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { Db, isSqlite, parseJson, Row, TABLES, toIso, toJson } from './rows';

/** Who changed something, why and when: every history row has one. */
export interface ChangeContext {
  actor: string;
  reason: string;
  at: Date;
}

const { history: HISTORY, version: VERSION } = TABLES;

function historyFromRow(row: Row): SamplingHistoryEntry {
  return {
    id: Number(row.id),
    at: toIso(row.at),
    actor: row.actor,
    action: row.action as SamplingHistoryAction,
    scope: row.scope,
    before: parseJson(row.before),
    after: parseJson(row.after),
    reason: row.reason,
  };
}

/**
 * Runs a write in a transaction that holds the version row's lock, so concurrent writes (from
 * any replica) run one after another. SQLite has one writer at a time anyway (and no row locks
 * in knex).
 */
export function writeWithVersionLock<T>(
  knex: Knex,
  fn: (tx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return knex.transaction(async (tx): Promise<T> => {
    if (!isSqlite(knex)) {
      await tx(VERSION).where({ id: 1 }).forUpdate().first('version');
    }
    return fn(tx);
  });
}

/** The control-plane version: bumped by every change that the policy source caches. */
export async function readVersion(db: Db): Promise<number> {
  const row = await db(VERSION).where({ id: 1 }).first('version');
  return row ? Number(row.version) : 0;
}

/** Adds a history row (in the change's transaction). */
export async function insertHistory(
  tx: Knex.Transaction,
  action: SamplingHistoryAction,
  scope: string,
  before: unknown,
  after: unknown,
  change: ChangeContext,
): Promise<void> {
  await tx(HISTORY).insert({
    at: change.at,
    actor: change.actor,
    action,
    scope,
    before: toJson(before),
    after: toJson(after),
    reason: change.reason,
  });
}

/** Records a change the policy source caches: its history row and a version bump. */
export async function recordChange(
  tx: Knex.Transaction,
  action: SamplingHistoryAction,
  scope: string,
  before: unknown,
  after: unknown,
  change: ChangeContext,
): Promise<void> {
  await insertHistory(tx, action, scope, before, after, change);
  await tx(VERSION).where({ id: 1 }).increment('version', 1);
}

/** Newest first; `scope` limits to one service (or `global`). */
export async function listHistory(
  db: Db,
  options: { scope?: string; limit: number; beforeId?: number },
): Promise<SamplingHistoryEntry[]> {
  let query = db(HISTORY).select().orderBy('id', 'desc').limit(options.limit);
  if (options.scope !== undefined)
    query = query.where({ scope: options.scope });
  if (options.beforeId !== undefined)
    query = query.where('id', '<', options.beforeId);
  return (await query).map(historyFromRow);
}
