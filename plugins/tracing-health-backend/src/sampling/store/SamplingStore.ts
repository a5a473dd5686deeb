import { LoggerService } from '@backstage/backend-plugin-api';
import {
  GLOBAL_OVERRIDE_SCOPE,
  SamplingHistoryAction,
  SamplingHistoryEntry,
  SamplingMaintenance,
  SamplingOverride,
  SamplingOverrideAction,
  SamplingPolicyPatch,
  validateSamplingPolicyPatch,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';

const POLICIES = 'tracing_health_sampling_policies';
const HISTORY = 'tracing_health_sampling_history';
const OVERRIDES = 'tracing_health_sampling_overrides';
const MAINTENANCE = 'tracing_health_sampling_maintenance';
const VERSION = 'tracing_health_sampling_version';

/** The policy a service's owners stored: a patch over its tier. */
export interface StoredPolicy {
  serviceName: string;
  policy: SamplingPolicyPatch;
  updatedBy: string;
  /** ISO 8601. */
  updatedAt: string;
}

/** Everything the policy source caches, read consistently. */
export interface SamplingSnapshot {
  version: number;
  policies: StoredPolicy[];
  overrides: SamplingOverride[];
  maintenance?: SamplingMaintenance;
}

export interface ChangeContext {
  actor: string;
  reason: string;
  at: Date;
}

/** SQLite returns timestamps as epoch milliseconds, PostgreSQL as Date. */
function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'string' && /^\d+$/.test(value))
    return new Date(Number(value)).toISOString();
  return new Date(String(value)).toISOString();
}

function parseJson(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  return JSON.parse(String(text));
}

function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

type Row = Record<string, any>;

function isSqlite(knex: Knex): boolean {
  const client = String(knex.client.config.client);
  return client === 'sqlite3' || client === 'better-sqlite3';
}

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
 * The control plane's tables. Every write runs in one transaction with its history row and a
 * version bump, so replicas polling the version see each change exactly once and the history
 * never disagrees with the state. Writes take the version row's lock first, so concurrent writes
 * (from any replica) run one after another: each reads the state the previous one left, two
 * first writes of one policy do not both insert, and `before` in the history is always right.
 */
export class SamplingStore {
  constructor(
    private readonly knex: Knex,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Runs a write in a transaction that holds the version row's lock. SQLite has one writer at a
   * time anyway (and no row locks in knex).
   */
  private write<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(async (tx): Promise<T> => {
      if (!isSqlite(this.knex)) {
        await tx(VERSION).where({ id: 1 }).forUpdate().first('version');
      }
      return fn(tx);
    });
  }

  async getVersion(): Promise<number> {
    const row = await this.knex(VERSION).where({ id: 1 }).first('version');
    return row ? Number(row.version) : 0;
  }

  async loadSnapshot(): Promise<SamplingSnapshot> {
    return this.knex.transaction(async (tx): Promise<SamplingSnapshot> => {
      const versionRow = await tx(VERSION).where({ id: 1 }).first('version');
      const policies = await tx(POLICIES).select().orderBy('service_name');
      const overrides = await tx(OVERRIDES).select().orderBy('created_at');
      const maintenance = await tx(MAINTENANCE).where({ id: 1 }).first();
      return {
        version: versionRow ? Number(versionRow.version) : 0,
        policies: policies.flatMap(row => this.policyFromRow(row) ?? []),
        overrides: overrides.map(overrideFromRow),
        maintenance: maintenance ? maintenanceFromRow(maintenance) : undefined,
      };
    });
  }

  async getPolicy(serviceName: string): Promise<StoredPolicy | undefined> {
    const row = await this.knex(POLICIES)
      .where({ service_name: serviceName })
      .first();
    return row ? this.policyFromRow(row) : undefined;
  }

  async listOverrides(): Promise<SamplingOverride[]> {
    const rows = await this.knex(OVERRIDES).select().orderBy('created_at');
    return rows.map(overrideFromRow);
  }

  async getOverride(id: string): Promise<SamplingOverride | undefined> {
    const row = await this.knex(OVERRIDES).where({ id }).first();
    return row ? overrideFromRow(row) : undefined;
  }

  async getMaintenance(): Promise<SamplingMaintenance | undefined> {
    const row = await this.knex(MAINTENANCE).where({ id: 1 }).first();
    return row ? maintenanceFromRow(row) : undefined;
  }

  /** Newest first; `scope` limits to one service (or `global`). */
  async listHistory(options: {
    scope?: string;
    limit: number;
    beforeId?: number;
  }): Promise<SamplingHistoryEntry[]> {
    let query = this.knex(HISTORY)
      .select()
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.scope !== undefined)
      query = query.where({ scope: options.scope });
    if (options.beforeId !== undefined)
      query = query.where('id', '<', options.beforeId);
    return (await query).map(historyFromRow);
  }

  /** Replaces a service's stored policy. */
  async putPolicy(
    serviceName: string,
    policy: SamplingPolicyPatch,
    change: ChangeContext,
  ): Promise<{ before?: StoredPolicy; after: StoredPolicy }> {
    return this.write(async tx => {
      const previous = await tx(POLICIES)
        .where({ service_name: serviceName })
        .first();
      const before = previous ? this.policyFromRow(previous) : undefined;
      const after: StoredPolicy = {
        serviceName,
        policy,
        updatedBy: change.actor,
        updatedAt: change.at.toISOString(),
      };
      const row = {
        policy: JSON.stringify(policy),
        updated_by: change.actor,
        updated_at: change.at,
      };
      await tx(POLICIES)
        .insert({ service_name: serviceName, ...row })
        .onConflict('service_name')
        .merge(row);
      await this.record(
        tx,
        'policy-update',
        serviceName,
        before ?? null,
        after,
        change,
      );
      return { before, after };
    });
  }

  /** Removes a service's stored policy (it falls back to its tier); undefined if there was none. */
  async deletePolicy(
    serviceName: string,
    change: ChangeContext,
  ): Promise<StoredPolicy | undefined> {
    return this.write(async tx => {
      const previous = await tx(POLICIES)
        .where({ service_name: serviceName })
        .first();
      if (!previous) return undefined;
      await tx(POLICIES).where({ service_name: serviceName }).delete();
      const before = this.policyFromRow(previous) ?? null;
      await this.record(tx, 'policy-reset', serviceName, before, null, change);
      return before ?? undefined;
    });
  }

  async createOverride(override: SamplingOverride): Promise<SamplingOverride> {
    return this.write(async tx => {
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
      await this.record(tx, action, override.scope, null, override, {
        actor: override.createdBy,
        reason: override.reason,
        at: new Date(override.createdAt),
      });
      return override;
    });
  }

  /** Ends an override early; undefined if it does not exist (any more). */
  async deleteOverride(
    id: string,
    change: ChangeContext,
  ): Promise<SamplingOverride | undefined> {
    return this.write(async tx => {
      const row = await tx(OVERRIDES).where({ id }).first();
      if (!row) return undefined;
      await tx(OVERRIDES).where({ id }).delete();
      const before = overrideFromRow(row);
      await this.record(
        tx,
        before.action === 'boost' ? 'boost-end' : 'override-delete',
        before.scope,
        before,
        null,
        change,
      );
      return before;
    });
  }

  /** Starts (or replaces) the maintenance window. */
  async enterMaintenance(
    maintenance: SamplingMaintenance,
  ): Promise<{ before?: SamplingMaintenance; after: SamplingMaintenance }> {
    return this.write(async tx => {
      const previous = await tx(MAINTENANCE).where({ id: 1 }).first();
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
      const before = previous ? maintenanceFromRow(previous) : undefined;
      await this.record(
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
    });
  }

  /** Ends maintenance; undefined if it was not on. */
  async exitMaintenance(
    change: ChangeContext,
  ): Promise<SamplingMaintenance | undefined> {
    return this.write(async tx => {
      const previous = await tx(MAINTENANCE).where({ id: 1 }).first();
      if (!previous) return undefined;
      await tx(MAINTENANCE).where({ id: 1 }).delete();
      const before = maintenanceFromRow(previous);
      await this.record(
        tx,
        'maintenance-exit',
        GLOBAL_OVERRIDE_SCOPE,
        before,
        null,
        change,
      );
      return before;
    });
  }

  /**
   * Removes overrides and maintenance whose expiry time has passed, recording each removal.
   * Safe to run on several replicas at once: a row is recorded only by whoever deleted it.
   */
  async removeExpired(now: Date): Promise<{
    overrides: SamplingOverride[];
    maintenance?: SamplingMaintenance;
  }> {
    return this.write(async tx => {
      const change = (reason: string): ChangeContext => ({
        actor: 'system',
        reason,
        at: now,
      });
      const expired: SamplingOverride[] = [];
      const rows = await tx(OVERRIDES).where('expires_at', '<=', now).select();
      for (const row of rows) {
        const deleted = await tx(OVERRIDES).where({ id: row.id }).delete();
        if (deleted !== 1) continue;
        const override = overrideFromRow(row);
        expired.push(override);
        await this.record(
          tx,
          override.action === 'boost' ? 'boost-expire' : 'override-expire',
          override.scope,
          override,
          null,
          change(`expired at ${override.expiresAt}`),
        );
      }
      let maintenance: SamplingMaintenance | undefined;
      const maintenanceRow = await tx(MAINTENANCE)
        .where({ id: 1 })
        .andWhere('expires_at', '<=', now)
        .first();
      if (
        maintenanceRow &&
        (await tx(MAINTENANCE).where({ id: 1 }).delete()) === 1
      ) {
        maintenance = maintenanceFromRow(maintenanceRow);
        await this.record(
          tx,
          'maintenance-expire',
          GLOBAL_OVERRIDE_SCOPE,
          maintenance,
          null,
          change(`expired at ${maintenance.expiresAt}`),
        );
      }
      return { overrides: expired, maintenance };
    });
  }

  private async record(
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
    await tx(VERSION).where({ id: 1 }).increment('version', 1);
  }

  /** A row whose JSON no longer validates (an older model) is skipped, loudly. */
  private policyFromRow(row: Row): StoredPolicy | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.policy);
    } catch (e) {
      parsed = undefined;
    }
    const result = validateSamplingPolicyPatch(parsed);
    if (!result.success) {
      this.logger.warn(
        `Ignoring the stored sampling policy of ${
          row.service_name
        }: ${result.errors
          .map(e => `${e.path || '(root)'}: ${e.message}`)
          .join('; ')}`,
      );
      return undefined;
    }
    return {
      serviceName: row.service_name,
      policy: result.value,
      updatedBy: row.updated_by,
      updatedAt: toIso(row.updated_at),
    };
  }
}
