import { LoggerService } from '@backstage/backend-plugin-api';
import {
  EffectivePolicy,
  GLOBAL_OVERRIDE_SCOPE,
  SamplingPolicySource,
} from '@internal/plugin-tracing-health-common';
import {
  ServiceDirectory,
  ServiceEntity,
  ServiceEntityMap,
} from './catalog/ServiceDirectory';
import { Clock, systemClock } from './clock';
import {
  ResolvedPolicy,
  resolveEffectivePolicy,
} from './policy/resolveEffectivePolicy';
import { SamplingControlConfig } from './readSamplingConfig';
import {
  SamplingSnapshot,
  SamplingStore,
  StoredPolicy,
} from './store/SamplingStore';

export interface DatabasePolicySourceOptions {
  store: SamplingStore;
  directory: ServiceDirectory;
  config: SamplingControlConfig;
  logger: LoggerService;
  clock?: Clock;
}

/** One service as the cached snapshot sees it. */
export interface CachedServicePolicy {
  serviceName?: string;
  resolved: ResolvedPolicy;
  entity?: ServiceEntity;
  stored?: StoredPolicy;
}

const EMPTY_SNAPSHOT: SamplingSnapshot = {
  version: 0,
  policies: [],
  overrides: [],
};

/**
 * The sampling policies of the control plane for the pipeline's samplers, the Jaeger endpoint and
 * the rendered collector config. Answers synchronously from a cached snapshot; every replica polls
 * the version row every `refreshSeconds` and reloads when it changed, so a change made on any
 * replica is in force everywhere within that time. Overrides past their expiry time stop applying
 * on the first call after it, without waiting for a reload.
 */
export class DatabasePolicySource implements SamplingPolicySource {
  private readonly clock: Clock;
  private snapshot: SamplingSnapshot = EMPTY_SNAPSHOT;
  private storedByName = new Map<string, StoredPolicy>();
  private services: ServiceEntityMap = new Map();
  private servicesFingerprint = '';
  private catalogLoaded = false;
  private readonly cache = new Map<string, CachedServicePolicy>();
  private defaultCache?: CachedServicePolicy;
  private localVersion = 0;
  private nextExpiryMs = Infinity;
  private timers: NodeJS.Timeout[] = [];
  private refreshing?: Promise<boolean>;

  constructor(private readonly options: DatabasePolicySourceOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Loads the first snapshot, then keeps polling until `stop()`. */
  async start(): Promise<void> {
    // At startup the catalog may not answer yet: retried with every poll until it does.
    await this.refreshCatalog().catch(e =>
      this.options.logger.info(
        `Sampling: catalog not readable yet, will retry: ${e}`,
      ),
    );
    await this.refresh();
    const every = (seconds: number, fn: () => Promise<unknown>) => {
      const timer = setInterval(() => {
        fn().catch(e =>
          this.options.logger.warn(`Sampling policy refresh failed: ${e}`),
        );
      }, seconds * 1000);
      timer.unref?.();
      this.timers.push(timer);
    };
    every(this.options.config.refreshSeconds, async () => {
      // At start-up the catalog is often still ingesting: until it names a service, re-read it
      // at the fast interval so tiers apply within seconds, not after catalogRefreshSeconds.
      if (!this.catalogLoaded || this.services.size === 0) {
        await this.refreshCatalog().catch(e =>
          this.options.logger.warn(
            `Sampling: catalog still not readable: ${e}`,
          ),
        );
      }
      await this.refresh();
    });
    every(this.options.config.catalogRefreshSeconds, () =>
      this.refreshCatalog(),
    );
  }

  stop(): void {
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  /** Reloads when the stored version changed (or always with `force`); true when it reloaded. */
  refresh(options: { force?: boolean } = {}): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh(options.force ?? false).finally(() => {
        this.refreshing = undefined;
      });
      return this.refreshing;
    }
    // A refresh in flight may have read the version before the caller's change: run another.
    return this.refreshing.then(() => this.refresh(options));
  }

  private async doRefresh(force: boolean): Promise<boolean> {
    if (
      !force &&
      (await this.options.store.getVersion()) === this.snapshot.version
    ) {
      return false;
    }
    this.snapshot = await this.options.store.loadSnapshot();
    this.storedByName = new Map(
      this.snapshot.policies.map(p => [p.serviceName, p]),
    );
    this.invalidate();
    return true;
  }

  /** Re-reads which component emits which service and its tier. */
  async refreshCatalog(): Promise<void> {
    const services = await this.options.directory.load();
    this.catalogLoaded = true;
    const fingerprint = JSON.stringify([...services.values()]);
    if (fingerprint === this.servicesFingerprint) return;
    this.services = services;
    this.servicesFingerprint = fingerprint;
    this.invalidate();
  }

  getPolicy(serviceName: string): EffectivePolicy | undefined {
    if (!this.isKnown(serviceName)) return undefined;
    return this.describe(serviceName).resolved.effective;
  }

  getDefaultPolicy(): EffectivePolicy {
    return this.describeDefault().resolved.effective;
  }

  version(): number {
    this.expireIfDue();
    return this.localVersion;
  }

  /** The cached view of a service (the default policy's view when it is unknown). */
  describe(serviceName: string): CachedServicePolicy {
    this.expireIfDue();
    if (!this.isKnown(serviceName)) return this.describeDefault();
    let cached = this.cache.get(serviceName);
    if (!cached) {
      const entity = this.services.get(serviceName);
      const stored = this.storedByName.get(serviceName);
      cached = {
        serviceName,
        entity,
        stored,
        resolved: resolveEffectivePolicy(
          serviceName,
          {
            defaults: this.options.config.defaults,
            tierPatches: this.options.config.tiers,
            tier: entity?.tier,
            stored: stored?.policy,
          },
          this.snapshot,
          this.clock.now(),
        ),
      };
      this.cache.set(serviceName, cached);
    }
    return cached;
  }

  describeDefault(): CachedServicePolicy {
    this.expireIfDue();
    if (!this.defaultCache) {
      this.defaultCache = {
        resolved: resolveEffectivePolicy(
          undefined,
          {
            defaults: this.options.config.defaults,
            tierPatches: this.options.config.tiers,
          },
          this.snapshot,
          this.clock.now(),
        ),
      };
    }
    return this.defaultCache;
  }

  /** Every service with a component, a stored policy or an override of its own, sorted. */
  serviceNames(): string[] {
    const names = new Set<string>([
      ...this.services.keys(),
      ...this.storedByName.keys(),
    ]);
    for (const o of this.snapshot.overrides) {
      if (o.scope !== GLOBAL_OVERRIDE_SCOPE) names.add(o.scope);
    }
    return [...names].sort();
  }

  /** The version of the stored state this snapshot was read at. */
  storedVersion(): number {
    return this.snapshot.version;
  }

  private isKnown(serviceName: string): boolean {
    return (
      this.services.has(serviceName) ||
      this.storedByName.has(serviceName) ||
      this.snapshot.overrides.some(o => o.scope === serviceName)
    );
  }

  private expireIfDue(): void {
    if (this.clock.now().getTime() >= this.nextExpiryMs) this.invalidate();
  }

  private invalidate(): void {
    this.cache.clear();
    this.defaultCache = undefined;
    this.localVersion += 1;
    const now = this.clock.now().getTime();
    const expiries = [
      ...this.snapshot.overrides.map(o => Date.parse(o.expiresAt)),
      ...(this.snapshot.maintenance
        ? [Date.parse(this.snapshot.maintenance.expiresAt)]
        : []),
    ].filter(t => t > now);
    this.nextExpiryMs = expiries.length > 0 ? Math.min(...expiries) : Infinity;
  }
}
