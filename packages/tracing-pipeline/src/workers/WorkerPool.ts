import { PIPELINE_METRICS } from '@internal/tracing-model';
import { Counter, Registry } from 'prom-client';
import { AccountingSnapshot } from '../telemetry/accounting';
import { ExportStatus } from '../exporter/exporter';
import { parsePipelineConfig, PipelineConfig } from '../config';
import { MemoryUsage } from '../receiver/memoryLimiter';
import { OtlpHttpRequest, OtlpHttpResponse } from '../receiver/receiver';
import { registerThreadCpu } from '../telemetry/threadCpu';
import { AggregateCollection } from './aggregateCollection';
import { BodyBudget } from './bodyBudget';
import { clusterInit, followClusterView } from './clusterForwarding';
import { MainThreadAnswers } from './mainThreadAnswers';
import { MergedFigures } from './mergedFigures';
import { PolicySnapshots } from './policySnapshots';
import { workerInits, workerResourceLimits } from './workerInits';
import { defaultWorkerCount, WorkerPoolOptions } from './workerPoolOptions';
import { WorkerRequests } from './workerRequests';
import { workerEntry, WorkerSlots } from './workerSlots';

export { defaultWorkerCount } from './workerPoolOptions';
export type { WorkerPoolOptions } from './workerPoolOptions';
export type { WorkerPoolCluster } from './clusterForwarding';

/** A counter on the portal's registry, or the one already there (several pools, tests). */
function reasonCounter(registry: Registry, name: string, help: string) {
  return (
    (registry.getSingleMetric(name) as Counter<'reason'>) ??
    new Counter({ name, help, labelNames: ['reason'], registers: [registry] })
  );
}

/**
 * The pipeline in `worker_threads` workers with a capped heap (worker mode). The main thread only
 * reads each request's (compressed) body within its size limit and transfers the bytes to the
 * least busy worker; that worker decodes, splits the spans by trace id (rendezvous hashing over
 * the workers) and hands each share to its owner, so every worker's tail sampler and span metrics
 * see whole traces. A worker that dies or stops answering is replaced; its requests in flight get
 * 503 + Retry-After, and its replacement loads its persistent queue (`<dir>/worker-<i>`).
 * Figures come back as aggregates on an interval, never per span.
 *
 * The parts, beside this file: workerSlots (the workers' lifecycle), workerPeers (connecting the
 * workers with each other), workerRequests with bodyBudget and mainThreadAnswers (the request
 * path), clusterForwarding (shares for other replicas), aggregateCollection and mergedFigures
 * (the read side), policySnapshots (sampling policies for the workers), workerInits.
 */
export class WorkerPool {
  readonly config: PipelineConfig;
  readonly workerCount: number;
  private readonly workers: WorkerSlots;
  private readonly requests: WorkerRequests;
  private readonly budget: BodyBudget;
  private readonly answers: MainThreadAnswers;
  private readonly collection: AggregateCollection;
  private readonly figures: MergedFigures;
  private readonly policies: PolicySnapshots;
  private shuttingDown?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private unsubscribeCluster?: () => void;

  /** Whether worker threads can be started here (the worker entry ships with this build). */
  static available(): boolean {
    return workerEntry() !== undefined;
  }

  constructor(private readonly options: WorkerPoolOptions) {
    const config = parsePipelineConfig(options.config);
    this.config = config;
    const logger = options.logger ?? { info() {}, warn() {}, error() {} };
    const n = Math.max(
      1,
      options.workers ?? config.workers ?? defaultWorkerCount(),
    );
    this.workerCount = n;
    const deadlineMs = options.deadlineMs ?? 30_000;
    const inits = workerInits(config, n, options, deadlineMs);
    const { cluster, registry } = options;
    const restarts = reasonCounter(
      registry,
      PIPELINE_METRICS.workerRestarts,
      'Pipeline worker threads replaced, by reason',
    );
    const lostSpans = reasonCounter(
      registry,
      PIPELINE_METRICS.workerLostSpans,
      'Spans lost with a pipeline worker that died',
    );
    const refusedRequests = reasonCounter(
      registry,
      PIPELINE_METRICS.workerRefusedRequests,
      'OTLP requests answered 503 by the main thread (worker died or none available)',
    );
    this.workers = new WorkerSlots({
      workers: n,
      init: index => ({
        ...inits[index],
        cluster: clusterInit(cluster),
        policies: this.policies.forNewWorker(),
      }),
      resourceLimits: options.resourceLimits ?? workerResourceLimits(config, n),
      logger,
      restarts,
      lostSpans,
      listeners: {
        answered: (slot, m) => this.requests.answered(slot, m),
        collected: (slot, m) => this.collection.collected(slot, m),
        stopped: slot => this.figures.retireStopped(slot.last),
        died: (slot, reason) => {
          this.requests.failInFlight(slot, reason);
          this.collection.abandon(slot);
          return this.figures.retireDead(slot.last);
        },
      },
    });
    const { slots } = this.workers;
    this.figures = new MergedFigures(
      slots,
      config.exporters.some(e => e.persistentQueueDir),
    );
    this.policies = new PolicySnapshots(
      options.policySource,
      options.knownServices,
      slots,
      () => this.figures.live(),
    );
    this.answers = new MainThreadAnswers(
      refusedRequests,
      config.memory.retryAfterSeconds,
    );
    registerThreadCpu(this.answers.registry);
    this.budget = new BodyBudget(config.receiver.maxInFlightBodyBytes);
    this.requests = new WorkerRequests({
      workers: this.workers,
      answers: this.answers,
      budget: this.budget,
      maxCompressedBytes:
        config.receiver.maxCompressedBodyBytes ?? config.receiver.maxBodyBytes,
      deadlineMs,
      logger,
      cluster,
    });
    this.collection = new AggregateCollection({
      workers: this.workers,
      registry,
      mainThreadRegistry: this.answers.registry,
      deadlineMs,
      postPolicies: () => this.policies.post(),
      onAggregates: options.onAggregates,
    });
  }

  /** Starts the workers and waits until each has loaded its persistent queues. */
  async start(): Promise<void> {
    for (let i = 0; i < this.workerCount; i++) this.workers.spawn(i);
    await this.workers.started();
    this.timer = setInterval(
      () => void this.collect(),
      this.options.collectIntervalMs ?? 2000,
    );
    this.timer.unref();
    this.unsubscribeCluster = followClusterView(
      this.options.cluster,
      this.workers.slots,
    );
    await this.collect();
  }

  /** Handles one OTLP/HTTP export request; never rejects. */
  async handle(request: OtlpHttpRequest): Promise<OtlpHttpResponse> {
    const response = await this.requests.route(request);
    // Answers the main thread gave itself (no worker saw the request) count in the pipeline's
    // own request metrics, so the refusal alerts and dashboards see them in either mode.
    this.answers.count(response);
    return response;
  }

  /** Bytes of OTLP request bodies held now (read here or in a worker, not yet answered). */
  inFlightBytes(): number {
    return this.budget.heldBytes();
  }

  /** The sum of the workers' accounting, with what died with replaced workers. */
  readonly accounting = {
    snapshot: (): AccountingSnapshot => this.figures.accounting(),
  };

  memoryUsage(): MemoryUsage {
    return this.figures.memoryUsage();
  }

  /** The workers' exporter queues and failed spans (as of their last report). */
  exportStatus(): ExportStatus {
    return this.figures.exportStatus();
  }

  /** The adaptive samplers' current rates (the workers' average per service). */
  currentRates(): Record<string, number> {
    return this.figures.currentRates();
  }

  /** The workers' span metrics merged (as of their last report): SpanMetrics' read side. */
  spanMetrics() {
    return this.figures.spanMetrics();
  }

  /** The workers' service graphs merged (as of their last report): ServiceGraph's read side. */
  serviceGraph() {
    return this.figures.serviceGraph();
  }

  /** Gathers aggregates from every worker now (at most once per 250 ms; waits up to 1 s). */
  collect(force = false): Promise<void> {
    return this.collection.collect(force);
  }

  /** Test only: asks worker `index` to run out of heap, hang or throw. */
  hook(index: number, name: 'allocate' | 'hang' | 'crash') {
    this.workers.hook(index, name);
  }

  /** Resolves when every slot has a running worker again. */
  whenAllReady(): Promise<void> {
    return this.workers.whenAllReady();
  }

  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.workers.stopping = true;
      if (this.timer) clearInterval(this.timer);
      this.unsubscribeCluster?.();
      await this.workers.stopAll(this.config.shutdownTimeoutMs + 5000);
      // The last figures, after the workers flushed what they held.
      await this.collect(true).catch(() => undefined);
      await this.workers.terminateAll();
    })();
    return this.shuttingDown;
  }
}
