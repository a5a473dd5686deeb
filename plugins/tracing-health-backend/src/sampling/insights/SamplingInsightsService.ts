import { AuthService } from '@backstage/backend-plugin-api';
import {
  BudgetCheck,
  DownstreamCostResponse,
  KeptTracesResponse,
  OwnerBudget,
  OwnerBudgetUsage,
  SamplingPolicyPatch,
  SamplingPreviewResponse,
} from '@internal/plugin-tracing-health-common';
import { previewPolicy, TraceDigests } from '@internal/tracing-pipeline';
import { CatalogServices } from '../../services/CatalogServices';
import { Clock } from '../clock';
import { DatabasePolicySource } from '../DatabasePolicySource';
import { resolveEffectivePolicy } from '../policy/resolveEffectivePolicy';
import { SamplingControlConfig } from '../readSamplingConfig';
import { SamplingStore } from '../store/SamplingStore';
import { BudgetStore, StoredBudget } from './BudgetStore';
import { InsightsConfig } from './readInsightsConfig';

export interface SamplingInsightsOptions {
  source: DatabasePolicySource;
  store: SamplingStore;
  budgets: BudgetStore;
  config: SamplingControlConfig;
  insights: InsightsConfig;
  catalogServices: CatalogServices;
  auth: AuthService;
  clock: Clock;
  /** The pipeline's trace digests (set once the pipeline runs). */
  digests: () => TraceDigests | undefined;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

function exceeds(
  budget: OwnerBudget,
  spansPerSecond: number,
  bytesPerDay: number,
): boolean {
  return (
    (budget.spansPerSecond !== undefined &&
      spansPerSecond > budget.spansPerSecond) ||
    (budget.bytesPerDay !== undefined && bytesPerDay > budget.bytesPerDay)
  );
}

/**
 * Answers from the pipeline's trace digests (what the sampler saw before deciding, last hour):
 * previews of candidate policies, kept traces by rule, downstream cost, owner budgets and use.
 * Figures are this replica's (each replica samples the traces it owns).
 */
export class SamplingInsightsService {
  private ownersCache?: { at: number; byService: Map<string, string> };

  constructor(private readonly options: SamplingInsightsOptions) {}

  private digests(): TraceDigests {
    return this.options.digests() ?? new TraceDigests();
  }

  async preview(
    serviceName: string,
    patch: SamplingPolicyPatch,
  ): Promise<SamplingPreviewResponse> {
    const { source, store, config, clock } = this.options;
    const view = source.describe(serviceName);
    const [overrides, maintenance] = await Promise.all([
      store.listOverrides(),
      store.getMaintenance(),
    ]);
    const candidate = resolveEffectivePolicy(
      serviceName,
      {
        defaults: config.defaults,
        tierPatches: config.tiers,
        tier: view.entity?.tier,
        stored: patch,
      },
      { overrides, maintenance },
      clock.now(),
    ).effective;
    const digests = this.digests();
    const result = previewPolicy({
      digests: digests.digests(serviceName),
      window: digests.window(serviceName),
      candidate,
      current: view.resolved.effective,
      policyOf: name => source.getPolicy(name) ?? source.getDefaultPolicy(),
    });
    const response: SamplingPreviewResponse = {
      serviceName,
      windowSeconds: result.seconds,
      traces: result.traces,
      sampledTraces: result.sampled,
      tracesPerSecond: result.tracesPerSecond,
      spansPerSecond: result.spansPerSecond,
      bytesPerDay: result.bytesPerDay,
      candidate: result.candidate,
      current: result.current,
      measured: result.measured,
      slowMs: result.slowMs,
    };
    const owner = (await this.ownersByService()).get(serviceName);
    if (owner) {
      const usage = (await this.budgetUsage()).find(u => u.owner === owner);
      if (usage?.budget) {
        const projectedSpansPerSecond =
          usage.usedSpansPerSecond -
          result.measured.spansPerSecond +
          result.candidate.spansPerSecond;
        const projectedBytesPerDay =
          usage.usedBytesPerDay -
          result.measured.bytesPerDay +
          result.candidate.bytesPerDay;
        const check: BudgetCheck = {
          owner,
          budget: usage.budget,
          usedSpansPerSecond: usage.usedSpansPerSecond,
          usedBytesPerDay: usage.usedBytesPerDay,
          projectedSpansPerSecond,
          projectedBytesPerDay,
          exceeded: exceeds(
            usage.budget,
            projectedSpansPerSecond,
            projectedBytesPerDay,
          ),
        };
        response.budget = check;
      }
    }
    return response;
  }

  kept(serviceName: string): KeptTracesResponse {
    const { counts, seconds } = this.digests().window(serviceName);
    return {
      serviceName,
      windowSeconds: seconds,
      traces: counts.traces,
      keptTraces: counts.keptTraces,
      byRule: counts.keptByRule,
    };
  }

  downstream(serviceName: string): DownstreamCostResponse {
    const { counts, seconds } = this.digests().window(serviceName);
    const perMinute = (n: number) => (n / seconds) * 60;
    const items = Object.entries(counts.spansByService)
      .map(([service, spans]) => ({
        service,
        spansPerMinute: perMinute(spans),
        keptSpansPerMinute: perMinute(counts.keptSpansByService[service] ?? 0),
      }))
      .sort((a, b) => b.keptSpansPerMinute - a.keptSpansPerMinute);
    return { serviceName, windowSeconds: seconds, items };
  }

  /** Budgets from config, replaced by those set through the API, by lower-case owner ref. */
  async budgetsByOwner(): Promise<
    Map<string, { budget: OwnerBudget; source: 'config' | 'api' }>
  > {
    const out = new Map<
      string,
      { budget: OwnerBudget; source: 'config' | 'api' }
    >();
    for (const [owner, budget] of this.options.insights.budgets)
      out.set(owner, { budget, source: 'config' });
    for (const {
      owner,
      updatedBy: _u,
      ...budget
    } of await this.options.budgets.list())
      out.set(lower(owner), { budget, source: 'api' });
    return out;
  }

  /** Sets an owner's budget through the API (recorded in the history as `budget-set`). */
  async setBudget(
    owner: string,
    budget: OwnerBudget,
    actor: string,
    reason: string,
  ): Promise<{ before?: StoredBudget; after: StoredBudget }> {
    const at = this.options.clock.now();
    return this.options.budgets.put(owner, budget, { actor, reason, at });
  }

  /** Removes an owner's API budget; undefined if it had none (recorded all the same). */
  async deleteBudget(
    owner: string,
    actor: string,
    reason: string,
  ): Promise<StoredBudget | undefined> {
    const at = this.options.clock.now();
    return this.options.budgets.delete(owner, { actor, reason, at });
  }

  /** Every owner with a budget or with services, with its use over the last hour. */
  async budgetUsage(): Promise<OwnerBudgetUsage[]> {
    const owners = await this.ownersByService();
    const budgets = await this.budgetsByOwner();
    const digests = this.digests();
    const usage = new Map<string, OwnerBudgetUsage>();
    const entry = (owner: string) => {
      let u = usage.get(owner);
      if (!u) {
        const b = budgets.get(owner);
        u = {
          owner,
          usedSpansPerSecond: 0,
          usedBytesPerDay: 0,
          exceeded: false,
          services: [],
        };
        if (b) {
          u.budget = b.budget;
          u.source = b.source;
        }
        usage.set(owner, u);
      }
      return u;
    };
    for (const owner of budgets.keys()) entry(owner);
    for (const [service, owner] of owners) {
      const u = entry(owner);
      u.services.push(service);
      const { counts, seconds } = digests.window(service);
      u.usedSpansPerSecond += counts.keptSpans / seconds;
      u.usedBytesPerDay += (counts.keptBytes / seconds) * 86_400;
    }
    for (const u of usage.values()) {
      u.services.sort();
      u.exceeded = u.budget
        ? exceeds(u.budget, u.usedSpansPerSecond, u.usedBytesPerDay)
        : false;
    }
    return [...usage.values()].sort((a, b) => a.owner.localeCompare(b.owner));
  }

  /** service.name → owner ref (lower case), read with the plugin's own credentials. */
  private async ownersByService(): Promise<Map<string, string>> {
    const now = this.options.clock.now().getTime();
    if (this.ownersCache && now - this.ownersCache.at < 30_000)
      return this.ownersCache.byService;
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const byService = new Map<string, string>();
    for (const item of await this.options.catalogServices.list(credentials)) {
      if (item.owner && !item.conflictingEntities)
        byService.set(item.settings.serviceName, lower(item.owner));
    }
    this.ownersCache = { at: now, byService };
    return byService;
  }
}
