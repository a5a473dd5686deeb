import type { SamplingPolicySource } from '@internal/tracing-model';
import type {
  MainToWorker,
  PolicySnapshot,
  WorkerAggregates,
} from './protocol';
import type { Slot } from './workerSlots';

/**
 * The control plane's sampling policies, for the workers: a snapshot of the policy source for
 * every service known so far (configured, or met by a worker), posted to the live workers when the
 * source's version changes or services are added, and given to each worker as it starts.
 */
export class PolicySnapshots {
  private version = -1;
  private readonly services = new Set<string>();

  constructor(
    private readonly source: SamplingPolicySource | undefined,
    private readonly knownServices: (() => Iterable<string>) | undefined,
    private readonly slots: readonly (Slot | undefined)[],
    private readonly live: () => WorkerAggregates[],
  ) {}

  /** Posts a new snapshot to the live workers if anything changed since the last one. */
  post() {
    const source = this.source;
    if (!source) return;
    let added = false;
    const names = [
      ...(this.knownServices?.() ?? []),
      ...this.live().flatMap(a => [
        ...Object.keys(a.rates),
        ...(a.spanMetrics?.services.map(s => s.service) ?? []),
      ]),
    ];
    for (const name of names)
      if (!this.services.has(name)) {
        this.services.add(name);
        added = true;
      }
    if (!added && source.version() === this.version) return;
    const snapshot = this.take(source);
    for (const slot of this.slots)
      if (slot && !slot.dead)
        slot.worker.postMessage({
          t: 'policies',
          snapshot,
        } satisfies MainToWorker);
  }

  /** The snapshot a worker starts with (absent: no policy source). */
  forNewWorker(): PolicySnapshot | undefined {
    return this.source ? this.take(this.source) : undefined;
  }

  private take(source: SamplingPolicySource): PolicySnapshot {
    this.version = source.version();
    const services: PolicySnapshot['services'] = {};
    for (const name of this.services) {
      const policy = source.getPolicy(name);
      if (policy) services[name] = policy;
    }
    return {
      // Local changes (services added) must invalidate the workers' compiled policies too.
      version: this.version * 1_000_000 + this.services.size,
      defaultPolicy: source.getDefaultPolicy(),
      services,
    };
  }
}
