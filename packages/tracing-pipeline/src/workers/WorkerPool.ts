import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, ResourceLimits, Worker } from 'node:worker_threads';
import type { SamplingPolicySource } from '@internal/tracing-model';
import { PIPELINE_METRICS } from '@internal/tracing-model';
import {
  AggregatorRegistry,
  Counter,
  MetricObjectWithValues,
  MetricValue,
  Registry,
} from 'prom-client';
import { AccountingSnapshot } from '../telemetry/accounting';
import { ExportStatus, sumExportStatus } from '../exporter/exporter';
import {
  parsePipelineConfig,
  PipelineConfig,
  PipelineConfigInput,
} from '../config';
import { MemoryUsage } from '../receiver/memoryLimiter';
import type { PipelineLogger } from '../pipeline';
import { OtlpHttpRequest, OtlpHttpResponse } from '../receiver/receiver';
import {
  DEFAULT_DURATION_BUCKETS_SECONDS,
  SpanMetricsSnapshot,
} from '../spanMetrics';
import { mergeServiceGraphs, ServiceGraphSnapshot } from '../serviceGraph';
import {
  emptyAccounting,
  mergeSpanMetrics,
  sumAccounting,
} from './mergeAggregates';
import { pipelineWorkerFile } from './pipelineWorker';
import type { ClusterView, ForwardOutcome } from '../routing/clusterRouting';
import {
  MainToWorker,
  PIPELINE_WORKER_ROLE,
  PolicySnapshot,
  WorkerAggregates,
  WorkerInit,
  WorkerToMain,
} from './protocol';

const MiB = 2 ** 20;

/** One less than the cores, at least 1: the default of `tracingHealth.pipeline.workers`. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface WorkerPoolOptions {
  /** `tracingHealth.pipeline` as read from config. */
  config: PipelineConfigInput;
  /** Worker threads (at least 1); default: `config.workers`, else defaultWorkerCount(). */
  workers?: number;
  /** The portal's registry: the workers' metrics are aggregated into it on scrape. */
  registry: Registry;
  logger?: PipelineLogger;
  /** The engine's part of `tracingHealth.sampling`; absent: no sampling stage. */
  sampling?: unknown;
  /** The control plane's policies; a snapshot is posted to the workers whenever its version changes. */
  policySource?: SamplingPolicySource;
  /** Services whose policy the snapshot always carries (more are added as the workers meet them). */
  knownServices?: () => Iterable<string>;
  /** Span metrics in the workers (coverage, RED, completeness); see `spanMetrics()`. */
  spanMetrics?: WorkerInit['spanMetrics'];
  /** The service graph in the workers (edges between services); see `serviceGraph()`. */
  serviceGraph?: WorkerInit['serviceGraph'];
  /** A request (or a collection) not answered within this is the worker's death. Default 30 s. */
  deadlineMs?: number;
  /** How often aggregates are gathered from the workers. Default 2 s. */
  collectIntervalMs?: number;
  /** Overrides the heap limits derived from `memory.hardLimitBytes` (tests). */
  resourceLimits?: ResourceLimits;
  /** Enables test-only hooks in the workers (see `hook`). */
  testHooks?: boolean;
  /** Each worker report, as it arrives (trace digests are deltas: see TraceDigests.ingest). */
  onAggregates?: (data: WorkerAggregates) => void;
  /** Portal replicas: the workers split spans by owner replica too (see routing/clusterRouting). */
  cluster?: WorkerPoolCluster;
}

/** The main thread's side of routing across portal replicas, for the workers. */
export interface WorkerPoolCluster {
  view(): ClusterView | undefined;
  /** Calls `listener` whenever the view changes; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void;
  /** Forwards a share to its owner (never rejects; counts its own outcomes). */
  forward(
    peer: string,
    body: Uint8Array,
    spans: number,
  ): Promise<ForwardOutcome>;
}

interface InFlight {
  resolve(res: OtlpHttpResponse): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  inFlight: Map<number, InFlight>;
  collects: Map<number, (data: WorkerAggregates | undefined) => void>;
  last?: WorkerAggregates;
  collectSentAt?: number;
  deathReason?: string;
  dead: boolean;
  shutdownDone?: () => void;
}

function otlpError(
  contentType: string | null | undefined,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): OtlpHttpResponse {
  const json = /json/i.test(contentType ?? '');
  let body: Buffer;
  if (json) body = Buffer.from(JSON.stringify({ code: 14, message }));
  else {
    // google.rpc.Status { code = 1 (varint), message = 2 (string) }
    const text = Buffer.from(message, 'utf8');
    const len: number[] = [];
    let n = text.length;
    do {
      len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    body = Buffer.concat([Buffer.from([0x08, 14, 0x12, ...len]), text]);
  }
  return {
    status,
    headers: {
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      ...headers,
    },
    body,
  };
}

/**
 * The file a worker thread starts from: the built worker module in a production bundle, or from
 * source a JS shim that registers the TypeScript transform first (a worker does not inherit the
 * parent's require hooks).
 */
function workerEntry(): string | undefined {
  if (!/\.tsx?$/.test(pipelineWorkerFile)) return pipelineWorkerFile;
  try {
    return require.resolve('./workerEntry.js');
  } catch {
    return undefined;
  }
}

/**
 * The pipeline in `worker_threads` workers with a capped heap (worker mode). The main thread only
 * reads each request's (compressed) body within its size limit and transfers the bytes to the
 * least busy worker; that worker decodes, splits the spans by trace id (rendezvous hashing over
 * the workers) and hands each share to its owner, so every worker's tail sampler and span metrics
 * see whole traces. A worker that dies or stops answering is replaced; its requests in flight get
 * 503 + Retry-After, and its replacement loads its persistent queue (`<dir>/worker-<i>`).
 * Figures come back as aggregates on an interval, never per span.
 */
export class WorkerPool {
  readonly config: PipelineConfig;
  readonly workerCount: number;
  private readonly slots: (Slot | undefined)[];
  private readonly inits: WorkerInit[];
  private readonly logger: PipelineLogger;
  private readonly deadlineMs: number;
  private readonly retryAfterSeconds: number;
  private readonly maxCompressedBytes: number;
  private readonly maxInFlightBodyBytes: number;
  /** Bytes of bodies being read here or handed to a worker and not yet answered. */
  private inFlightBodyBytes = 0;
  /** Responses the main thread gave without a worker: what to count them as. */
  private readonly ownAnswers = new WeakMap<
    OtlpHttpResponse,
    { reason?: string; bytes: number }
  >();
  /** The main thread's share of the pipeline's request metrics, merged with the workers'. */
  private readonly mainThreadRegistry = new Registry();
  private readonly mainThreadMetrics = {
    requests: new Counter({
      name: PIPELINE_METRICS.requests,
      help: 'OTLP/HTTP responses by status code.',
      labelNames: ['status'],
      registers: [this.mainThreadRegistry],
    }),
    requestsRefused: new Counter({
      name: PIPELINE_METRICS.requestsRefused,
      help: 'OTLP/HTTP requests refused (429/503, 413 for size limits), most before their spans were counted.',
      labelNames: ['reason'],
      registers: [this.mainThreadRegistry],
    }),
    requestsRefusedBytes: new Counter({
      name: PIPELINE_METRICS.requestsRefusedBytes,
      help: 'Bytes as sent (Content-Length, or read) of refused OTLP/HTTP requests.',
      labelNames: ['reason'],
      registers: [this.mainThreadRegistry],
    }),
  };
  private readonly resourceLimits: ResourceLimits;
  private nextRequest = 0;
  private nextCollect = 0;
  private roundRobin = 0;
  private shuttingDown?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private retired = emptyAccounting();
  /** Spans replaced or stopped workers failed to export, so the running total never goes back. */
  private retiredFailedSpans = 0;
  private retiredSpanMetrics: SpanMetricsSnapshot[] = [];
  private retiredServiceGraphs: ServiceGraphSnapshot[] = [];
  private policyVersion = -1;
  private policyServices = new Set<string>();
  private aggregated = new Map<
    string,
    MetricObjectWithValues<MetricValue<string>>
  >();
  private lastCollect?: Promise<void>;
  private lastCollectAt = 0;
  private readonly restarts: Counter<'reason'>;
  private readonly lostSpans: Counter<'reason'>;
  private readonly refusedRequests: Counter<'reason'>;
  private readonly readyWaiters: Array<() => void> = [];
  private unsubscribeCluster?: () => void;

  /** Whether worker threads can be started here (the worker entry ships with this build). */
  static available(): boolean {
    return workerEntry() !== undefined;
  }

  constructor(private readonly options: WorkerPoolOptions) {
    this.config = parsePipelineConfig(options.config);
    this.logger = options.logger ?? { info() {}, warn() {}, error() {} };
    this.workerCount = Math.max(
      1,
      options.workers ?? this.config.workers ?? defaultWorkerCount(),
    );
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.retryAfterSeconds = this.config.memory.retryAfterSeconds;
    this.maxCompressedBytes =
      this.config.receiver.maxCompressedBodyBytes ??
      this.config.receiver.maxBodyBytes;
    this.maxInFlightBodyBytes = this.config.receiver.maxInFlightBodyBytes;
    const n = this.workerCount;
    const m = this.config.memory;
    // Each worker holds its share of the configured limits; its heap is capped at that share plus
    // room for decoding one request at a time and the worker's own baseline.
    this.resourceLimits = options.resourceLimits ?? {
      maxOldGenerationSizeMb: Math.ceil(
        m.hardLimitBytes / n / MiB +
          2 * (this.config.receiver.maxBodyBytes / MiB) +
          64,
      ),
    };
    const workerConfig = (index: number): PipelineConfigInput => {
      const { workers: _workers, ...rest } = this.config;
      return {
        ...rest,
        memory: {
          ...m,
          softLimitBytes: Math.max(1, Math.floor(m.softLimitBytes / n)),
          hardLimitBytes: Math.max(1, Math.floor(m.hardLimitBytes / n)),
          softLimitSpans: Math.max(1, Math.floor(m.softLimitSpans / n)),
          hardLimitSpans: Math.max(1, Math.floor(m.hardLimitSpans / n)),
        },
        exporters: this.config.exporters.map(e =>
          e.persistentQueueDir
            ? {
                ...e,
                persistentQueueDir: join(
                  e.persistentQueueDir,
                  `worker-${index}`,
                ),
              }
            : e,
        ),
        fallback:
          this.config.fallback && index > 0
            ? {
                ...this.config.fallback,
                path: `${this.config.fallback.path}.worker-${index}`,
              }
            : this.config.fallback,
      };
    };
    this.inits = Array.from({ length: n }, (_, index) => ({
      role: PIPELINE_WORKER_ROLE,
      index,
      workers: n,
      pipeline: workerConfig(index),
      sampling: options.sampling,
      spanMetrics: options.spanMetrics,
      serviceGraph: options.serviceGraph,
      shareTimeoutMs: Math.max(1000, Math.floor(this.deadlineMs / 2)),
      testHooks: options.testHooks,
    }));
    this.slots = new Array(n);
    const counter = (name: string, help: string) =>
      (options.registry.getSingleMetric(name) as Counter<'reason'>) ??
      new Counter({
        name,
        help,
        labelNames: ['reason'],
        registers: [options.registry],
      });
    this.restarts = counter(
      PIPELINE_METRICS.workerRestarts,
      'Pipeline worker threads replaced, by reason',
    );
    this.lostSpans = counter(
      PIPELINE_METRICS.workerLostSpans,
      'Spans lost with a pipeline worker that died',
    );
    this.refusedRequests = counter(
      PIPELINE_METRICS.workerRefusedRequests,
      'OTLP requests answered 503 by the main thread (worker died or none available)',
    );
  }

  /** Starts the workers and waits until each has loaded its persistent queues. */
  async start(): Promise<void> {
    for (let i = 0; i < this.workerCount; i++) this.spawn(i);
    await new Promise<void>(resolve => {
      const check = () =>
        this.slots.every(s => s?.ready)
          ? resolve()
          : this.readyWaiters.push(check);
      check();
    });
    this.timer = setInterval(
      () => void this.collect(),
      this.options.collectIntervalMs ?? 2000,
    );
    this.timer.unref();
    this.unsubscribeCluster = this.options.cluster?.onChange(() => {
      const view = this.options.cluster!.view();
      for (const slot of this.slots)
        if (slot && !slot.dead)
          slot.worker.postMessage({
            t: 'cluster',
            view,
          } satisfies MainToWorker);
    });
    await this.collect();
  }

  /** Handles one OTLP/HTTP export request; never rejects. */
  async handle(request: OtlpHttpRequest): Promise<OtlpHttpResponse> {
    const response = await this.route(request);
    // Answers the main thread gave itself (no worker saw the request) count in the pipeline's
    // own request metrics, so the refusal alerts and dashboards see them in either mode.
    const own = this.ownAnswers.get(response);
    if (own) {
      this.mainThreadMetrics.requests.inc({ status: String(response.status) });
      if (own.reason) {
        this.mainThreadMetrics.requestsRefused.inc({ reason: own.reason });
        if (own.bytes > 0)
          this.mainThreadMetrics.requestsRefusedBytes.inc(
            { reason: own.reason },
            own.bytes,
          );
      }
    }
    return response;
  }

  private own(
    response: OtlpHttpResponse,
    reason: string | undefined,
    bytes: number,
  ) {
    this.ownAnswers.set(response, { reason, bytes });
    return response;
  }

  private async route(request: OtlpHttpRequest): Promise<OtlpHttpResponse> {
    const declared = Number(request.contentLength);
    const sentBytes = (read = 0) =>
      Number.isFinite(declared) && declared > read ? declared : read;
    const refuse = (reason: string, message: string, read = 0) => {
      this.refusedRequests.inc({ reason });
      return this.own(
        otlpError(request.contentType, 503, message, {
          'retry-after': String(this.retryAfterSeconds),
        }),
        reason,
        sentBytes(read),
      );
    };
    if (this.shuttingDown)
      return refuse('shutting_down', 'pipeline is shutting down');
    const tooLarge = (read = 0) =>
      this.own(
        otlpError(
          request.contentType,
          413,
          `request body exceeds ${this.maxCompressedBytes} bytes`,
          { connection: 'close' },
        ),
        'too_large',
        sentBytes(read),
      );
    if (Number.isFinite(declared) && declared > this.maxCompressedBytes)
      return tooLarge();
    // Bodies in flight share one byte budget, reserved as they stream in, so many slow or large
    // requests at once cannot grow the portal's memory: past it, 503 + Retry-After.
    let reserved = 0;
    const reserve = (bytes: number) => {
      if (this.inFlightBodyBytes + bytes > this.maxInFlightBodyBytes)
        return false;
      this.inFlightBodyBytes += bytes;
      reserved += bytes;
      return true;
    };
    const release = () => {
      this.inFlightBodyBytes -= reserved;
      reserved = 0;
    };
    const busy = (read = 0) => {
      release();
      this.refusedRequests.inc({ reason: 'in_flight_bytes' });
      return this.own(
        otlpError(
          request.contentType,
          503,
          `the portal holds ${this.maxInFlightBodyBytes} bytes of OTLP requests already, retry later`,
          {
            'retry-after': String(this.retryAfterSeconds),
            connection: 'close',
          },
        ),
        'in_flight_bytes',
        sentBytes(read),
      );
    };
    if (Number.isFinite(declared) && declared > 0 && !reserve(declared))
      return busy();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of request.body) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        total += bytes.byteLength;
        if (total > this.maxCompressedBytes) {
          release();
          return tooLarge(total);
        }
        if (total > reserved && !reserve(total - reserved)) return busy(total);
        chunks.push(bytes);
      }
    } catch (e) {
      release();
      return this.own(
        otlpError(
          request.contentType,
          400,
          `could not read request body: ${String(e)}`,
        ),
        undefined,
        0,
      );
    }
    // One fresh ArrayBuffer (never a pooled one), moved to the worker without a copy.
    const body = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      body.set(c, offset);
      offset += c.byteLength;
    }
    chunks.length = 0;
    // A declared length longer than the body sent holds no more than what arrived.
    if (reserved > total) {
      this.inFlightBodyBytes -= reserved - total;
      reserved = total;
    }
    const slot = this.pick();
    if (!slot) {
      release();
      return refuse(
        'unavailable',
        'no pipeline worker is available, retry later',
        total,
      );
    }
    const id = this.nextRequest++;
    const answered = new Promise<OtlpHttpResponse>(resolve => {
      const timer = setTimeout(() => {
        this.logger.error(
          `pipeline worker ${slot.index} did not answer within ${this.deadlineMs} ms; replacing it`,
        );
        this.kill(slot, 'unresponsive');
      }, this.deadlineMs);
      slot.inFlight.set(id, { resolve, timer });
      const m: MainToWorker = {
        t: 'req',
        id,
        contentType: request.contentType,
        contentEncoding: request.contentEncoding,
        body,
        routed: request.routed,
      };
      slot.worker.postMessage(m, [body.buffer]);
    });
    try {
      return await answered;
    } finally {
      release();
    }
  }

  /** Bytes of OTLP request bodies held now (read here or in a worker, not yet answered). */
  inFlightBytes(): number {
    return this.inFlightBodyBytes;
  }

  /** The sum of the workers' accounting, with what died with replaced workers. */
  readonly accounting = {
    snapshot: (): AccountingSnapshot =>
      sumAccounting([
        this.retired,
        ...this.liveAggregates().map(a => a.accounting),
      ]),
  };

  memoryUsage(): MemoryUsage {
    const usage = { spans: 0, bytes: 0 };
    for (const a of this.liveAggregates()) {
      usage.spans += a.memory.spans;
      usage.bytes += a.memory.bytes;
    }
    return usage;
  }

  /** The workers' exporter queues and failed spans (as of their last report). */
  exportStatus(): ExportStatus {
    const status = sumExportStatus(this.liveAggregates().map(a => a.exports));
    status.failedSpans += this.retiredFailedSpans;
    return status;
  }

  /** The adaptive samplers' current rates (the workers' average per service). */
  currentRates(): Record<string, number> {
    const sums: Record<string, { total: number; n: number }> = {};
    for (const a of this.liveAggregates())
      for (const [service, rate] of Object.entries(a.rates)) {
        const s = (sums[service] ??= { total: 0, n: 0 });
        s.total += rate;
        s.n++;
      }
    return Object.fromEntries(
      Object.entries(sums).map(([k, s]) => [k, s.total / s.n]),
    );
  }

  /** The workers' span metrics merged (as of their last report): SpanMetrics' read side. */
  spanMetrics() {
    const merged = () =>
      mergeSpanMetrics(
        [
          ...this.retiredSpanMetrics,
          ...this.liveAggregates().flatMap(a =>
            a.spanMetrics ? [a.spanMetrics] : [],
          ),
        ],
        this.liveAggregates().find(a => a.spanMetrics)?.spanMetrics
          ?.durationBoundsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS,
        Date.now(),
      );
    return {
      snapshot: merged,
      lastSeen: (service: string) =>
        merged().services.find(s => s.service === service)?.lastSeenMs ||
        undefined,
      lastSeenByService: () =>
        new Map(merged().services.map(s => [s.service, s.lastSeenMs])),
    };
  }

  /** The workers' service graphs merged (as of their last report): ServiceGraph's read side. */
  serviceGraph() {
    return {
      snapshot: () =>
        mergeServiceGraphs(
          [
            ...this.retiredServiceGraphs,
            ...this.liveAggregates().flatMap(a =>
              a.serviceGraph ? [a.serviceGraph] : [],
            ),
          ],
          this.liveAggregates().find(a => a.serviceGraph)?.serviceGraph
            ?.durationBoundsSeconds ?? DEFAULT_DURATION_BUCKETS_SECONDS,
          Date.now(),
        ),
    };
  }

  /** Gathers aggregates from every worker now (at most once per 250 ms; waits up to 1 s). */
  collect(force = false): Promise<void> {
    if (!force && this.lastCollect && Date.now() - this.lastCollectAt < 250)
      return this.lastCollect;
    this.lastCollectAt = Date.now();
    this.lastCollect = (async () => {
      this.postPolicies();
      const answers = await Promise.all(
        this.slots.map(slot =>
          slot?.ready ? this.collectFrom(slot) : undefined,
        ),
      );
      const lists = answers.flatMap(a => (a ? [a.metrics] : []));
      if (lists.length) {
        lists.push(await this.mainThreadRegistry.getMetricsAsJSON());
        const merged = await AggregatorRegistry.aggregate(
          lists,
        ).getMetricsAsJSON();
        this.aggregated = new Map(merged.map(m => [m.name, m as any]));
        for (const m of merged) this.proxy(m as any);
      }
      this.postPolicies();
    })();
    return this.lastCollect;
  }

  /** Test only: asks worker `index` to run out of heap, hang or throw. */
  hook(index: number, name: 'allocate' | 'hang' | 'crash') {
    this.slots[index]?.worker.postMessage({
      t: 'hook',
      name,
    } satisfies MainToWorker);
  }

  /** Resolves when every slot has a running worker again. */
  whenAllReady(): Promise<void> {
    return new Promise(resolve => {
      const check = () =>
        this.slots.every(s => s?.ready && !s.dead)
          ? resolve()
          : this.readyWaiters.push(check);
      check();
    });
  }

  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.unsubscribeCluster?.();
      await Promise.all(
        this.slots.map(slot => {
          if (!slot || slot.dead) return undefined;
          return new Promise<void>(resolve => {
            const timer = setTimeout(
              resolve,
              this.config.shutdownTimeoutMs + 5000,
            );
            slot.shutdownDone = () => {
              clearTimeout(timer);
              resolve();
            };
            slot.worker.postMessage({ t: 'shutdown' } satisfies MainToWorker);
          });
        }),
      );
      // The last figures, after the workers flushed what they held.
      await this.collect(true).catch(() => undefined);
      await Promise.all(this.slots.map(s => s?.worker.terminate()));
    })();
    return this.shuttingDown;
  }

  private liveAggregates(): WorkerAggregates[] {
    return this.slots.flatMap(s => (s?.last && !s.dead ? [s.last] : []));
  }

  private pick(): Slot | undefined {
    let best: Slot | undefined;
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.slots[(this.roundRobin + k) % n];
      if (!slot || !slot.ready || slot.dead) continue;
      if (!best || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    this.roundRobin = (this.roundRobin + 1) % n;
    return best;
  }

  private collectFrom(slot: Slot): Promise<WorkerAggregates | undefined> {
    const id = this.nextCollect++;
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        slot.collects.delete(id);
        resolve(undefined);
        // A worker that answers neither requests nor collections for a whole deadline is hung.
        if (
          slot.collectSentAt !== undefined &&
          Date.now() - slot.collectSentAt >= this.deadlineMs
        )
          this.kill(slot, 'unresponsive');
      }, Math.min(1000, this.deadlineMs));
      slot.collectSentAt ??= Date.now();
      slot.collects.set(id, data => {
        clearTimeout(timer);
        slot.collectSentAt = undefined;
        resolve(data);
      });
      slot.worker.postMessage({ t: 'collect', id } satisfies MainToWorker);
    });
  }

  private proxy(sample: MetricObjectWithValues<MetricValue<string>>) {
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

  private postPolicies() {
    const source = this.options.policySource;
    if (!source) return;
    let added = false;
    const names = [
      ...(this.options.knownServices?.() ?? []),
      ...this.liveAggregates().flatMap(a => [
        ...Object.keys(a.rates),
        ...(a.spanMetrics?.services.map(s => s.service) ?? []),
      ]),
    ];
    for (const name of names)
      if (!this.policyServices.has(name)) {
        this.policyServices.add(name);
        added = true;
      }
    if (!added && source.version() === this.policyVersion) return;
    const snapshot = this.policySnapshot(source);
    for (const slot of this.slots)
      if (slot && !slot.dead)
        slot.worker.postMessage({
          t: 'policies',
          snapshot,
        } satisfies MainToWorker);
  }

  private policySnapshot(source: SamplingPolicySource): PolicySnapshot {
    this.policyVersion = source.version();
    const services: PolicySnapshot['services'] = {};
    for (const name of this.policyServices) {
      const policy = source.getPolicy(name);
      if (policy) services[name] = policy;
    }
    return {
      // Local changes (services added) must invalidate the workers' compiled policies too.
      version: this.policyVersion * 1_000_000 + this.policyServices.size,
      defaultPolicy: source.getDefaultPolicy(),
      services,
    };
  }

  private spawn(index: number) {
    const cluster = this.options.cluster;
    const init: WorkerInit = {
      ...this.inits[index],
      cluster: cluster ? { view: cluster.view() } : undefined,
      policies: this.options.policySource
        ? this.policySnapshot(this.options.policySource)
        : undefined,
    };
    const entry = workerEntry();
    if (!entry)
      throw new Error('the pipeline worker entry is not in this build');
    const worker = new Worker(entry, {
      workerData: init,
      resourceLimits: this.resourceLimits,
      name: `tracing-pipeline-${index}`,
    });
    const slot: Slot = {
      index,
      worker,
      ready: false,
      dead: false,
      inFlight: new Map(),
      collects: new Map(),
    };
    this.slots[index] = slot;
    worker.on('message', (m: WorkerToMain) => {
      switch (m.t) {
        case 'ready':
          slot.ready = true;
          this.wakeReadyWaiters();
          break;
        case 'res': {
          const f = slot.inFlight.get(m.id);
          if (!f) return;
          slot.inFlight.delete(m.id);
          clearTimeout(f.timer);
          f.resolve({
            status: m.status,
            headers: m.headers,
            body: Buffer.from(
              m.body.buffer,
              m.body.byteOffset,
              m.body.byteLength,
            ),
          });
          break;
        }
        case 'collected': {
          slot.last = m.data;
          this.options.onAggregates?.(m.data);
          slot.collects.get(m.id)?.(m.data);
          slot.collects.delete(m.id);
          break;
        }
        case 'shutdownDone':
          slot.shutdownDone?.();
          break;
        case 'forward': {
          const forwarded = (outcome: ForwardOutcome) => {
            if (!slot.dead)
              worker.postMessage({
                t: 'forwarded',
                id: m.id,
                outcome,
              } satisfies MainToWorker);
          };
          if (!cluster) forwarded({ ok: false, reason: 'not_clustered' });
          else
            void cluster
              .forward(m.peer, m.body, m.spans)
              .catch(() => ({ ok: false, reason: 'internal_error' } as const))
              .then(forwarded);
          break;
        }
        case 'log':
          this.logger[m.level](`worker ${index}: ${m.message}`, m.meta);
          break;
        default:
      }
    });
    worker.on('error', e => {
      slot.deathReason ??=
        (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'out_of_memory'
          : 'crash';
      this.logger.error(`pipeline worker ${index} failed`, {
        error: String(e),
      });
    });
    worker.on('exit', () => this.onExit(slot));
    // Connect the new worker with every other live one.
    for (const other of this.slots) {
      if (!other || other === slot || other.dead) continue;
      const { port1, port2 } = new MessageChannel();
      worker.postMessage(
        { t: 'peer', index: other.index, port: port1 } satisfies MainToWorker,
        [port1],
      );
      other.worker.postMessage(
        { t: 'peer', index, port: port2 } satisfies MainToWorker,
        [port2],
      );
    }
  }

  private kill(slot: Slot, reason: string) {
    if (slot.dead) return;
    slot.deathReason ??= reason;
    void slot.worker.terminate();
  }

  private onExit(slot: Slot) {
    if (slot.dead) return;
    slot.dead = true;
    const reason = slot.deathReason ?? 'crash';
    if (this.shuttingDown && !slot.deathReason) {
      // Stopped on purpose: its figures stay in the totals.
      if (slot.last)
        this.retired = sumAccounting([this.retired, slot.last.accounting]);
      this.retiredFailedSpans += slot.last?.exports.failedSpans ?? 0;
      if (slot.last?.spanMetrics)
        this.retiredSpanMetrics.push(slot.last.spanMetrics);
      this.retireServiceGraph(slot);
      return;
    }
    this.restarts.inc({ reason });
    // Its requests in flight are answered 503: the clients retry, and nothing they sent is lost.
    for (const [, f] of slot.inFlight) {
      clearTimeout(f.timer);
      this.refusedRequests.inc({ reason: 'worker_exit' });
      f.resolve(
        this.own(
          otlpError(
            'application/x-protobuf',
            503,
            `pipeline worker stopped (${reason}), retry later`,
            {
              'retry-after': String(this.retryAfterSeconds),
            },
          ),
          'worker_exit',
          0,
        ),
      );
    }
    slot.inFlight.clear();
    for (const [, c] of slot.collects) c(undefined);
    slot.collects.clear();
    // What it had accepted and not yet exported or written to a persistent queue is lost.
    const last = slot.last?.accounting;
    const persistent = this.config.exporters.some(e => e.persistentQueueDir);
    const lost = last
      ? last.held.sampler +
        last.held.batcher +
        (persistent ? 0 : last.held.exporting)
      : 0;
    if (last) {
      const retired = {
        ...last,
        inFlight: 0,
        held: { sampler: 0, batcher: 0, exporting: 0 },
      };
      retired.dropped += lost;
      retired.droppedByReason = { ...last.droppedByReason };
      if (lost)
        retired.droppedByReason.worker_exit =
          (retired.droppedByReason.worker_exit ?? 0) + lost;
      this.retired = sumAccounting([this.retired, retired]);
    }
    this.retiredFailedSpans += slot.last?.exports.failedSpans ?? 0;
    if (slot.last?.spanMetrics)
      this.retiredSpanMetrics.push(slot.last.spanMetrics);
    this.retireServiceGraph(slot);
    this.lostSpans.inc({ reason: 'worker_exit' }, lost);
    this.logger.error(
      `pipeline worker ${slot.index} stopped (${reason}); ${lost} spans it held are lost; starting a replacement`,
    );
    for (const other of this.slots)
      if (other && other !== slot && !other.dead)
        other.worker.postMessage({
          t: 'peerGone',
          index: slot.index,
        } satisfies MainToWorker);
    if (this.shuttingDown) return;
    // A short pause, so a worker that dies on start does not spin the main thread.
    setTimeout(() => {
      if (!this.shuttingDown) this.spawn(slot.index);
    }, 100);
  }

  /** Keeps a dead worker's edges in the totals, folded into one snapshot so restarts stay bounded. */
  private retireServiceGraph(slot: Slot) {
    const last = slot.last?.serviceGraph;
    if (!last) return;
    const merged = mergeServiceGraphs(
      [...this.retiredServiceGraphs, { ...last, pending: 0 }],
      last.durationBoundsSeconds,
      Date.now(),
    );
    this.retiredServiceGraphs = [merged];
  }

  private wakeReadyWaiters() {
    const waiters = this.readyWaiters.splice(0);
    for (const w of waiters) w();
  }
}
