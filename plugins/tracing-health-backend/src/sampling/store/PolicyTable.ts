import { LoggerService } from '@backstage/backend-plugin-api';
import {
  SamplingPolicyPatch,
  validateSamplingPolicyPatch,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { ChangeContext, recordChange } from './changeHistory';
import { Db, Row, TABLES, toIso } from './rows';

const POLICIES = TABLES.policies;

/** The policy a service's owners stored: a patch over its tier. */
export interface StoredPolicy {
  serviceName: string;
  policy: SamplingPolicyPatch;
  updatedBy: string;
  /** ISO 8601. */
  updatedAt: string;
}

/** The policies services' owners stored (one row per service). */
export class PolicyTable {
  constructor(private readonly logger: LoggerService) {}

  async list(db: Db): Promise<StoredPolicy[]> {
    const rows = await db(POLICIES).select().orderBy('service_name');
    return rows.flatMap(row => this.fromRow(row) ?? []);
  }

  async get(db: Db, serviceName: string): Promise<StoredPolicy | undefined> {
    const row = await db(POLICIES).where({ service_name: serviceName }).first();
    return row ? this.fromRow(row) : undefined;
  }

  /** Replaces a service's stored policy, recording the change. */
  async put(
    tx: Knex.Transaction,
    serviceName: string,
    policy: SamplingPolicyPatch,
    change: ChangeContext,
  ): Promise<{ before?: StoredPolicy; after: StoredPolicy }> {
    const before = await this.get(tx, serviceName);
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
    await recordChange(
      tx,
      'policy-update',
      serviceName,
      before ?? null,
      after,
      change,
    );
    return { before, after };
  }

  /** Removes a service's stored policy, recording the change; undefined if there was none. */
  async delete(
    tx: Knex.Transaction,
    serviceName: string,
    change: ChangeContext,
  ): Promise<StoredPolicy | undefined> {
    const previous = await tx(POLICIES)
      .where({ service_name: serviceName })
      .first();
    if (!previous) return undefined;
    await tx(POLICIES).where({ service_name: serviceName }).delete();
    const before = this.fromRow(previous) ?? null;
    await recordChange(tx, 'policy-reset', serviceName, before, null, change);
    return before ?? undefined;
  }

  /** A row whose JSON no longer validates (an older model) is skipped, loudly. */
  private fromRow(row: Row): StoredPolicy | undefined {
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
