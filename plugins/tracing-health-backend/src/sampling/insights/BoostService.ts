import {
  BoostResponse,
  SamplingOverride,
} from '@internal/plugin-tracing-health-common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../clock';
import { DatabasePolicySource } from '../DatabasePolicySource';
import { SamplingControlService } from '../SamplingControlService';
import { SamplingStore } from '../store/SamplingStore';
import { InsightsConfig } from './readInsightsConfig';

export interface BoostServiceOptions {
  store: SamplingStore;
  source: DatabasePolicySource;
  control: SamplingControlService;
  clock: Clock;
  config: InsightsConfig['boost'];
}

/**
 * Boosts: an owner keeps every trace of their service for a while (an override with action
 * `boost`, rate 1, in the history as `boost-start`/`boost-end`).
 */
export class BoostService {
  constructor(private readonly options: BoostServiceOptions) {}

  /** How long a boost lasts when none is asked for, and at most. */
  limits(): { defaultMinutes: number; maxMinutes: number } {
    const { defaultMinutes, maxMinutes } = this.options.config;
    return { defaultMinutes, maxMinutes };
  }

  /** The active boost of a service, if any. */
  async active(serviceName: string): Promise<SamplingOverride | undefined> {
    const now = this.options.clock.now().getTime();
    return (await this.options.store.listOverrides()).find(
      o =>
        o.action === 'boost' &&
        o.scope === serviceName &&
        Date.parse(o.expiresAt) > now,
    );
  }

  /** What the boost card shows: whether the caller may boost, the durations, the active boost. */
  async status(serviceName: string, allowed: boolean): Promise<BoostResponse> {
    const body: BoostResponse = { allowed, ...this.limits() };
    const boost = await this.active(serviceName);
    if (boost) body.boost = boost;
    return body;
  }

  /** Starts a boost (ending an active one of the same service first, in the history too). */
  async start(
    serviceName: string,
    minutes: number,
    actor: string,
    reason: string,
  ): Promise<SamplingOverride> {
    const existing = await this.active(serviceName);
    if (existing) await this.end(existing.id, actor, `replaced: ${reason}`);
    const now = this.options.clock.now();
    const boost: SamplingOverride = {
      id: randomUUID(),
      scope: serviceName,
      action: 'boost',
      maxRate: 1,
      reason,
      createdBy: actor,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
    };
    await this.options.store.createOverride(boost);
    await this.options.source.refresh();
    return boost;
  }

  async end(
    id: string,
    actor: string,
    reason: string,
  ): Promise<SamplingOverride | undefined> {
    return this.options.control.deleteOverride(id, actor, reason);
  }
}
