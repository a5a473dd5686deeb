import {
  EffectiveSamplingPolicyResponse,
  SamplingHistoryEntry,
  SamplingMaintenance,
  SamplingOverride,
  SamplingPolicy,
  SamplingPolicyPatch,
} from '@internal/plugin-tracing-health-common';
import { randomUUID } from 'node:crypto';
import {
  CreateOverrideInput,
  EnterMaintenanceInput,
} from './api/validateRequests';
import { ServiceDirectory } from './catalog/ServiceDirectory';
import { Clock } from './clock';
import { DatabasePolicySource } from './DatabasePolicySource';
import { toJaegerStrategy } from './jaeger/toJaegerStrategy';
import { resolveEffectivePolicy } from './policy/resolveEffectivePolicy';
import { SamplingControlConfig } from './readSamplingConfig';
import { SamplingStore, StoredPolicy } from './store/SamplingStore';

/** The rate the adaptive sampler currently applies to a service; the pipeline provides it. */
export interface AdaptiveRateProvider {
  currentRate(serviceName: string): number | undefined;
}

export interface SamplingControlServiceOptions {
  store: SamplingStore;
  directory: ServiceDirectory;
  source: DatabasePolicySource;
  config: SamplingControlConfig;
  clock: Clock;
  adaptiveRates?: AdaptiveRateProvider;
}

const minutesFrom = (start: Date, minutes: number) =>
  new Date(start.getTime() + minutes * 60_000).toISOString();

/**
 * The control plane's operations. Reads are fresh from the database and the catalog; every
 * write is one transaction with its history row, then this replica's policy source reloads at
 * once (other replicas within `refreshSeconds`).
 */
export class SamplingControlService {
  constructor(private readonly options: SamplingControlServiceOptions) {}

  adaptiveRate(serviceName: string): number | undefined {
    const rate = this.options.adaptiveRates?.currentRate(serviceName);
    return rate !== undefined && Number.isFinite(rate) ? rate : undefined;
  }

  /**
   * The adaptive sampler's computed rate for a service whose effective strategy is adaptive
   * (undefined for other strategies, the default policy, or while none is computed): the input
   * `strategyRateOf` turns into the service's rate.
   */
  adaptiveRateFor(
    serviceName: string | undefined,
    policy: Pick<SamplingPolicy, 'strategy'>,
  ): number | undefined {
    return serviceName !== undefined && policy.strategy.type === 'adaptive'
      ? this.adaptiveRate(serviceName)
      : undefined;
  }

  async describe(
    serviceName: string,
  ): Promise<EffectiveSamplingPolicyResponse> {
    const { store, directory, config, clock } = this.options;
    const [entity, stored, overrides, maintenance] = await Promise.all([
      directory.find(serviceName),
      store.getPolicy(serviceName),
      store.listOverrides(),
      store.getMaintenance(),
    ]);
    const resolved = resolveEffectivePolicy(
      serviceName,
      {
        defaults: config.defaults,
        tierPatches: config.tiers,
        tier: entity?.tier,
        stored: stored?.policy,
      },
      { overrides, maintenance },
      clock.now(),
    );
    const {
      origin,
      tier,
      decidedBy: _decidedBy,
      ...policy
    } = resolved.effective;
    const adaptiveRate = this.adaptiveRateFor(serviceName, policy);
    const response: EffectiveSamplingPolicyResponse = {
      serviceName,
      origin,
      policy,
      sources: resolved.sources,
      basePolicy: resolved.base,
      overrides: resolved.overrides,
      sdkStrategy: toJaegerStrategy(policy, adaptiveRate),
    };
    if (entity) response.entityRef = entity.entityRef;
    if (entity?.conflictingEntities) {
      response.conflictingEntities = entity.conflictingEntities;
    }
    if (tier) response.tier = tier;
    if (stored) {
      response.storedPolicy = {
        policy: stored.policy,
        updatedBy: stored.updatedBy,
        updatedAt: stored.updatedAt,
      };
    }
    if (adaptiveRate !== undefined) response.adaptiveRate = adaptiveRate;
    if (resolved.maintenance) response.maintenance = resolved.maintenance;
    if (resolved.boost) response.boost = resolved.boost;
    return response;
  }

  async updatePolicy(
    serviceName: string,
    policy: SamplingPolicyPatch,
    actor: string,
    reason: string,
  ): Promise<{ before?: StoredPolicy; after: StoredPolicy }> {
    const result = await this.options.store.putPolicy(serviceName, policy, {
      actor,
      reason,
      at: this.options.clock.now(),
    });
    await this.options.source.refresh();
    return result;
  }

  async resetPolicy(
    serviceName: string,
    actor: string,
    reason: string,
  ): Promise<StoredPolicy | undefined> {
    const before = await this.options.store.deletePolicy(serviceName, {
      actor,
      reason,
      at: this.options.clock.now(),
    });
    await this.options.source.refresh();
    return before;
  }

  /** The change history, newest first; `scope` limits it to one service (or `global`). */
  async listHistory(query: {
    scope?: string;
    limit: number;
    beforeId?: number;
  }): Promise<SamplingHistoryEntry[]> {
    return this.options.store.listHistory(query);
  }

  /** Active emergency overrides (boosts are listed per service: `BoostService.active`). */
  async listActiveOverrides(): Promise<SamplingOverride[]> {
    const now = this.options.clock.now().getTime();
    return (await this.options.store.listOverrides()).filter(
      o => Date.parse(o.expiresAt) > now && o.action !== 'boost',
    );
  }

  async createOverride(
    input: CreateOverrideInput,
    actor: string,
  ): Promise<SamplingOverride> {
    const now = this.options.clock.now();
    const override: SamplingOverride = {
      id: randomUUID(),
      scope: input.scope,
      action: input.action,
      reason: input.reason,
      createdBy: actor,
      createdAt: now.toISOString(),
      expiresAt: minutesFrom(now, input.expiresInMinutes),
    };
    if (input.maxRate !== undefined) override.maxRate = input.maxRate;
    await this.options.store.createOverride(override);
    await this.options.source.refresh();
    return override;
  }

  async deleteOverride(
    id: string,
    actor: string,
    reason: string,
  ): Promise<SamplingOverride | undefined> {
    const before = await this.options.store.deleteOverride(id, {
      actor,
      reason,
      at: this.options.clock.now(),
    });
    await this.options.source.refresh();
    return before;
  }

  async getMaintenance(): Promise<SamplingMaintenance | undefined> {
    const maintenance = await this.options.store.getMaintenance();
    return maintenance &&
      Date.parse(maintenance.expiresAt) > this.options.clock.now().getTime()
      ? maintenance
      : undefined;
  }

  async enterMaintenance(
    input: EnterMaintenanceInput,
    actor: string,
  ): Promise<{ before?: SamplingMaintenance; after: SamplingMaintenance }> {
    const now = this.options.clock.now();
    const maintenance: SamplingMaintenance = {
      reason: input.reason,
      startedBy: actor,
      startedAt: now.toISOString(),
      expiresAt: minutesFrom(now, input.expiresInMinutes),
    };
    if (input.factor !== undefined) maintenance.factor = input.factor;
    if (input.maxRate !== undefined) maintenance.maxRate = input.maxRate;
    const result = await this.options.store.enterMaintenance(maintenance);
    await this.options.source.refresh();
    return result;
  }

  async exitMaintenance(
    actor: string,
    reason: string,
  ): Promise<SamplingMaintenance | undefined> {
    const before = await this.options.store.exitMaintenance({
      actor,
      reason,
      at: this.options.clock.now(),
    });
    await this.options.source.refresh();
    return before;
  }

  /** Removes (and records) what expired; the policies already stopped applying at expiry. */
  async removeExpired(): Promise<{
    overrides: SamplingOverride[];
    maintenance?: SamplingMaintenance;
  }> {
    const removed = await this.options.store.removeExpired(
      this.options.clock.now(),
    );
    if (removed.overrides.length > 0 || removed.maintenance) {
      await this.options.source.refresh();
    }
    return removed;
  }
}
