import { LoggerService } from '@backstage/backend-plugin-api';
import {
  SamplingHistoryEntry,
  SamplingMaintenance,
  SamplingOverride,
  SamplingPolicyPatch,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import {
  ChangeContext,
  listHistory,
  readVersion,
  writeWithVersionLock,
} from './changeHistory';
import { MaintenanceTable } from './MaintenanceTable';
import { OverrideTable } from './OverrideTable';
import { PolicyTable, StoredPolicy } from './PolicyTable';

export type { ChangeContext } from './changeHistory';
export type { StoredPolicy } from './PolicyTable';

/** Everything the policy source caches, read consistently. */
export interface SamplingSnapshot {
  version: number;
  policies: StoredPolicy[];
  overrides: SamplingOverride[];
  maintenance?: SamplingMaintenance;
}

/**
 * The control plane's tables (stored policies, overrides, maintenance; see `PolicyTable`,
 * `OverrideTable`, `MaintenanceTable`) and their history (`changeHistory`). Every write runs in
 * one transaction with its history row and a version bump, so replicas polling the version see
 * each change exactly once and the history never disagrees with the state. Writes take the
 * version row's lock first, so concurrent writes (from any replica) run one after another: each
 * reads the state the previous one left, two first writes of one policy do not both insert, and
 * `before` in the history is always right.
 */
export class SamplingStore {
  private readonly policies: PolicyTable;
  private readonly overrides = new OverrideTable();
  private readonly maintenance = new MaintenanceTable();

  constructor(private readonly knex: Knex, logger: LoggerService) {
    this.policies = new PolicyTable(logger);
  }

  private write<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return writeWithVersionLock(this.knex, fn);
  }

  async getVersion(): Promise<number> {
    return readVersion(this.knex);
  }

  async loadSnapshot(): Promise<SamplingSnapshot> {
    return this.knex.transaction(async (tx): Promise<SamplingSnapshot> => {
      const version = await readVersion(tx);
      const policies = await this.policies.list(tx);
      const overrides = await this.overrides.list(tx);
      const maintenance = await this.maintenance.get(tx);
      return { version, policies, overrides, maintenance };
    });
  }

  async getPolicy(serviceName: string): Promise<StoredPolicy | undefined> {
    return this.policies.get(this.knex, serviceName);
  }

  async listOverrides(): Promise<SamplingOverride[]> {
    return this.overrides.list(this.knex);
  }

  async getOverride(id: string): Promise<SamplingOverride | undefined> {
    return this.overrides.get(this.knex, id);
  }

  async getMaintenance(): Promise<SamplingMaintenance | undefined> {
    return this.maintenance.get(this.knex);
  }

  /** Newest first; `scope` limits to one service (or `global`). */
  async listHistory(options: {
    scope?: string;
    limit: number;
    beforeId?: number;
  }): Promise<SamplingHistoryEntry[]> {
    return listHistory(this.knex, options);
  }

  /** Replaces a service's stored policy. */
  async putPolicy(
    serviceName: string,
    policy: SamplingPolicyPatch,
    change: ChangeContext,
  ): Promise<{ before?: StoredPolicy; after: StoredPolicy }> {
    return this.write(tx => this.policies.put(tx, serviceName, policy, change));
  }

  /** Removes a service's stored policy (it falls back to its tier); undefined if there was none. */
  async deletePolicy(
    serviceName: string,
    change: ChangeContext,
  ): Promise<StoredPolicy | undefined> {
    return this.write(tx => this.policies.delete(tx, serviceName, change));
  }

  async createOverride(override: SamplingOverride): Promise<SamplingOverride> {
    return this.write(tx => this.overrides.create(tx, override));
  }

  /** Ends an override early; undefined if it does not exist (any more). */
  async deleteOverride(
    id: string,
    change: ChangeContext,
  ): Promise<SamplingOverride | undefined> {
    return this.write(tx => this.overrides.delete(tx, id, change));
  }

  /** Starts (or replaces) the maintenance window. */
  async enterMaintenance(
    maintenance: SamplingMaintenance,
  ): Promise<{ before?: SamplingMaintenance; after: SamplingMaintenance }> {
    return this.write(tx => this.maintenance.enter(tx, maintenance));
  }

  /** Ends maintenance; undefined if it was not on. */
  async exitMaintenance(
    change: ChangeContext,
  ): Promise<SamplingMaintenance | undefined> {
    return this.write(tx => this.maintenance.exit(tx, change));
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
      const overrides = await this.overrides.removeExpired(tx, now);
      const maintenance = await this.maintenance.removeExpired(tx, now);
      return { overrides, maintenance };
    });
  }
}
