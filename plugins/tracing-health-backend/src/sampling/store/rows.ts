import { Knex } from 'knex';

/** The control plane's tables. */
export const TABLES = {
  policies: 'tracing_health_sampling_policies',
  history: 'tracing_health_sampling_history',
  overrides: 'tracing_health_sampling_overrides',
  maintenance: 'tracing_health_sampling_maintenance',
  version: 'tracing_health_sampling_version',
} as const;

export type Row = Record<string, any>;

/** A knex instance or a transaction: what reads run on. */
export type Db = Knex | Knex.Transaction;

/** SQLite returns timestamps as epoch milliseconds, PostgreSQL as Date. */
export function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'string' && /^\d+$/.test(value))
    return new Date(Number(value)).toISOString();
  return new Date(String(value)).toISOString();
}

export function parseJson(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  return JSON.parse(String(text));
}

export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function isSqlite(knex: Knex): boolean {
  const client = String(knex.client.config.client);
  return client === 'sqlite3' || client === 'better-sqlite3';
}
