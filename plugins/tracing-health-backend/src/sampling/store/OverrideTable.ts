import {
  SamplingOverride,
  SamplingOverrideAction,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { ChangeContext, recordChange } from './changeHistory';
import { Db, Row, TABLES, toIso } from './rows';

const OVERRIDES = TABLES.overrides;

function overrideFromRow(row: Row): SamplingOverride {
  const override: SamplingOverride = {
    id: row.id,
    scope: row.scope,
    action: row.action as SamplingOverrideAction,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    expiresAt: toIso(row.expires_at),
  };
  if (row.max_rate !== null && row.max_rate !== undefined)
    override.maxRate = Number(row.max_rate);
  return override;
}

/** Emergency overrides and boosts (a boost is an override with action `boost`). */
export class OverrideTable {
  async list(db: Db): Promise<SamplingOverride[]> {
    const rows = await db(OVERRIDES).select().orderBy('created_at');
    return rows.map(overrideFromRow);
  }

  async get(db: Db, id: string): Promise<SamplingOverride | undefined> {
    const row = await db(OVERRIDES).where({ id }).first();
    return row ? overrideFromRow(row) : undefined;
  }

  /** Adds an override, recording its creator and reason. */
  async create(
    tx: Knex.Transaction,
    override: SamplingOverride,
  ): Promise<SamplingOverride> {
    await tx(OVERRIDES).insert({
      id: override.id,
      scope: override.scope,
      action: override.action,
      max_rate: override.maxRate ?? null,
      reason: override.reason,
      created_by: override.createdBy,
      created_at: new Date(override.createdAt),
      expires_at: new Date(override.expiresAt),
    });
    const action =
      override.action === 'boost' ? 'boost-start' : 'override-create';
    await recordChange(tx, action, override.scope, null, override, {
      actor: override.createdBy,
      reason: override.reason,
      at: new Date(override.createdAt),
    });
    return override;
  }

  /** Ends an override early, recording it; undefined if it does not exist (any more). */
  async delete(
    tx: Knex.Transaction,
    id: string,
    change: ChangeContext,
  ): Promise<SamplingOverride | undefined> {
    const row = await tx(OVERRIDES).where({ id }).first();
    if (!row) return undefined;
    await tx(OVERRIDES).where({ id }).delete();
    const before = overrideFromRow(row);
    await recordChange(
      tx,
      before.action === 'boost' ? 'boost-end' : 'override-delete',
      before.scope,
      before,
      null,
      change,
    );
    return before;
  }

  /** Removes the overrides expired at `now`, each recorded only by whoever deleted it. */
  async removeExpired(
    tx: Knex.Transaction,
    now: Date,
  ): Promise<SamplingOverride[]> {
    const expired: SamplingOverride[] = [];
    const rows = await tx(OVERRIDES).where('expires_at', '<=', now).select();
    for (const row of rows) {
      const deleted = await tx(OVERRIDES).where({ id: row.id }).delete();
      if (deleted !== 1) continue;
      const override = overrideFromRow(row);
      expired.push(override);
      await recordChange(
        tx,
        override.action === 'boost' ? 'boost-expire' : 'override-expire',
        override.scope,
        override,
        null,
        {
          actor: 'system',
          reason: `expired at ${override.expiresAt}`,
          at: now,
        },
      );
    }
    return expired;
  }
}
