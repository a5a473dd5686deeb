import {
  GLOBAL_OVERRIDE_SCOPE,
  SamplingMaintenance,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { ChangeContext, recordChange } from './changeHistory';
import { Db, Row, TABLES, toIso } from './rows';

const MAINTENANCE = TABLES.maintenance;

function maintenanceFromRow(row: Row): SamplingMaintenance {
  const maintenance: SamplingMaintenance = {
    reason: row.reason,
    startedBy: row.started_by,
    startedAt: toIso(row.started_at),
    expiresAt: toIso(row.expires_at),
  };
  if (row.factor !== null && row.factor !== undefined)
    maintenance.factor = Number(row.factor);
  if (row.max_rate !== null && row.max_rate !== undefined)
    maintenance.maxRate = Number(row.max_rate);
  return maintenance;
}

/** The maintenance window (one row, id 1, while it is on). */
export class MaintenanceTable {
  async get(db: Db): Promise<SamplingMaintenance | undefined> {
    const row = await db(MAINTENANCE).where({ id: 1 }).first();
    return row ? maintenanceFromRow(row) : undefined;
  }

  /** Starts (or replaces) the maintenance window, recording it. */
  async enter(
    tx: Knex.Transaction,
    maintenance: SamplingMaintenance,
  ): Promise<{ before?: SamplingMaintenance; after: SamplingMaintenance }> {
    const before = await this.get(tx);
    const row = {
      factor: maintenance.factor ?? null,
      max_rate: maintenance.maxRate ?? null,
      reason: maintenance.reason,
      started_by: maintenance.startedBy,
      started_at: new Date(maintenance.startedAt),
      expires_at: new Date(maintenance.expiresAt),
    };
    await tx(MAINTENANCE)
      .insert({ id: 1, ...row })
      .onConflict('id')
      .merge(row);
    await recordChange(
      tx,
      'maintenance-enter',
      GLOBAL_OVERRIDE_SCOPE,
      before ?? null,
      maintenance,
      {
        actor: maintenance.startedBy,
        reason: maintenance.reason,
        at: new Date(maintenance.startedAt),
      },
    );
    return { before, after: maintenance };
  }

  /** Ends maintenance, recording it; undefined if it was not on. */
  async exit(
    tx: Knex.Transaction,
    change: ChangeContext,
  ): Promise<SamplingMaintenance | undefined> {
    const before = await this.get(tx);
    if (!before) return undefined;
    await tx(MAINTENANCE).where({ id: 1 }).delete();
    await recordChange(
      tx,
      'maintenance-exit',
      GLOBAL_OVERRIDE_SCOPE,
      before,
      null,
      change,
    );
    return before;
  }

  /** Ends the window if it expired at `now`, recorded only by whoever deleted it. */
  async removeExpired(
    tx: Knex.Transaction,
    now: Date,
  ): Promise<SamplingMaintenance | undefined> {
    const row = await tx(MAINTENANCE)
      .where({ id: 1 })
      .andWhere('expires_at', '<=', now)
      .first();
    if (!row || (await tx(MAINTENANCE).where({ id: 1 }).delete()) !== 1)
      return undefined;
    const maintenance = maintenanceFromRow(row);
    await recordChange(
      tx,
      'maintenance-expire',
      GLOBAL_OVERRIDE_SCOPE,
      maintenance,
      null,
      {
        actor: 'system',
        reason: `expired at ${maintenance.expiresAt}`,
        at: now,
      },
    );
    return maintenance;
  }
}
