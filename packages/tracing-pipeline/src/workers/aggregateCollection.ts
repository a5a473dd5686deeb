import {
  AggregatorRegistry,
  MetricObjectWithValues,
  MetricValue,
  Registry,
} from 'prom-client';
import type { MainToWorker, WorkerAggregates, WorkerToMain } from './protocol';
import type { Slot, WorkerSlots } from './workerSlots';

type MetricSample = MetricObjectWithValues<MetricValue<string>>;

export interface AggregateCollectionOptions {
  workers: WorkerSlots;
  /** The portal's registry: every metric the workers report is proxied on it. */
  registry: Registry;
  /** The main thread's own share of the pipeline's metrics, merged with the workers'. */
  mainThreadRegistry: Registry;
  /** A worker that answers no collection for this long is killed as hung. */
  deadlineMs: number;
  /** Posts the sampling policies, before and after each collection (see PolicySnapshots). */
  postPolicies(): void;
  onAggregates?: (data: WorkerAggregates) => void;
}

/**
 * Gathers the workers' aggregates (on an interval and on scrape, never per span): each worker's
 * last report is kept on its slot, and their Prometheus metrics, with the main thread's, are
 * merged with `AggregatorRegistry.aggregate` and proxied on the portal's registry.
 */
export class AggregateCollection {
  private nextCollect = 0;
  private aggregated = new Map<string, MetricSample>();
  private lastCollect?: Promise<void>;
  private lastCollectAt = 0;

  constructor(private readonly options: AggregateCollectionOptions) {}

  /** Gathers aggregates from every worker now (at most once per 250 ms; waits up to 1 s). */
  collect(force = false): Promise<void> {
    if (!force && this.lastCollect && Date.now() - this.lastCollectAt < 250)
      return this.lastCollect;
    this.lastCollectAt = Date.now();
    this.lastCollect = (async () => {
      this.options.postPolicies();
      const answers = await Promise.all(
        this.options.workers.slots.map(slot =>
          slot?.ready ? this.collectFrom(slot) : undefined,
        ),
      );
      const lists = answers.flatMap(a => (a ? [a.metrics] : []));
      if (lists.length) {
        lists.push(await this.options.mainThreadRegistry.getMetricsAsJSON());
        const merged = await AggregatorRegistry.aggregate(
          lists,
        ).getMetricsAsJSON();
        this.aggregated = new Map(merged.map(m => [m.name, m as any]));
        for (const m of merged) this.proxy(m as any);
      }
      this.options.postPolicies();
    })();
    return this.lastCollect;
  }

  /** A worker's report. */
  collected(slot: Slot, m: Extract<WorkerToMain, { t: 'collected' }>) {
    slot.last = m.data;
    this.options.onAggregates?.(m.data);
    slot.collects.get(m.id)?.(m.data);
    slot.collects.delete(m.id);
  }

  /** A dead worker's collections end without its report. */
  abandon(slot: Slot) {
    for (const [, c] of slot.collects) c(undefined);
    slot.collects.clear();
  }

  private collectFrom(slot: Slot): Promise<WorkerAggregates | undefined> {
    const { deadlineMs, workers } = this.options;
    const id = this.nextCollect++;
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        slot.collects.delete(id);
        resolve(undefined);
        // A worker that answers neither requests nor collections for a whole deadline is hung.
        if (
          slot.collectSentAt !== undefined &&
          Date.now() - slot.collectSentAt >= deadlineMs
        )
          workers.kill(slot, 'unresponsive');
      }, Math.min(1000, deadlineMs));
      slot.collectSentAt ??= Date.now();
      slot.collects.set(id, data => {
        clearTimeout(timer);
        slot.collectSentAt = undefined;
        resolve(data);
      });
      slot.worker.postMessage({ t: 'collect', id } satisfies MainToWorker);
    });
  }

  /** Registers a metric the workers report on the portal's registry, read from the last merge. */
  private proxy(sample: MetricSample) {
    const { registry } = this.options;
    if (registry.getSingleMetric(sample.name)) return;
    const collect = () => this.collect();
    const aggregated = () => this.aggregated;
    registry.registerMetric({
      name: sample.name,
      help: sample.help,
      type: sample.type,
      aggregator: sample.aggregator,
      async get() {
        await collect().catch(() => undefined);
        return aggregated().get(sample.name) ?? { ...sample, values: [] };
      },
      reset() {},
    } as any);
  }
}
