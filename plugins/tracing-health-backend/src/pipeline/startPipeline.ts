import { LifecycleService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  createClusterShardRouter,
  decideRoutedHere,
  createPipeline,
  createSamplingStage,
  defaultWorkerCount,
  Pipeline,
  SamplingStage,
  samplingStageOptionsFromConfig,
  shareOfOwners,
  SpanMetrics,
  TraceDigests,
  WorkerPool,
  WorkerPoolCluster,
  WorkerPoolOptions,
} from '@internal/tracing-pipeline';
import { SamplingPolicySource } from '@internal/plugin-tracing-health-common';
import { Registry } from 'prom-client';
import { readSamplingSettings } from '../sampling/readSamplingConfig';

/** What the routes, the health check and coverage need of the pipeline, in either mode. */
export type PipelineHandle = Pick<
  Pipeline,
  'config' | 'handle' | 'memoryUsage' | 'exportStatus'
> & {
  readonly accounting: Pick<Pipeline['accounting'], 'snapshot'>;
};

export interface EmbeddedPipeline {
  pipeline: PipelineHandle;
  /** The adaptive sampler's current rate per service, for `/sampling` and the pages. */
  currentRates(): Record<string, number>;
  /** What the sampler saw of each trace (last hour), for previews and kept counts. */
  traceDigests: TraceDigests;
  /** Worker threads the pipeline runs in; 0: in this thread. */
  workers: number;
  /** In-process mode: the pipeline itself (span metrics subscribe to its spans). */
  inProcess?: Pipeline;
  /** Worker mode: the workers' service graphs, merged (the dependency routes read them). */
  serviceGraph?: ReturnType<WorkerPool['serviceGraph']>;
  /** Worker mode: the workers' span metrics, merged (coverage reads them). */
  spanMetrics?: Pick<
    SpanMetrics,
    'snapshot' | 'lastSeen' | 'lastSeenByService'
  >;
}

/**
 * Starts the embedded pipeline with the sampling stage reading `policySource` (the control
 * plane's database-backed source), loads persistent queues, and flushes on shutdown. Invalid
 * `tracingHealth.pipeline` / `tracingHealth.sampling` config throws here, at start-up, with
 * the offending keys in the message.
 *
 * With `tracingHealth.pipeline.workers` > 0 (default: one less than the cores, at least 1) the
 * pipeline, span metrics included, runs in worker threads (see WorkerPool in the pipeline
 * package): this thread only reads bodies and hands them over.
 */
export async function startPipeline(options: {
  config: Config;
  logger: LoggerService;
  registry: Registry;
  lifecycle: LifecycleService;
  policySource: SamplingPolicySource;
  /** Span metrics options, for worker mode (the workers compute them). */
  spanMetrics?: WorkerPoolOptions['spanMetrics'];
  /** Service graph options, for worker mode (the workers pair the spans). */
  serviceGraph?: WorkerPoolOptions['serviceGraph'];
  /** Several replicas (tracingHealth.cluster): spans are routed to the replica owning their trace. */
  cluster?: WorkerPoolCluster;
  /**
   * Awaited on shutdown before the pipeline stops taking spans: the cluster's forwards, whose
   * failures this pipeline decides.
   */
  beforeShutdown?: () => Promise<void>;
}): Promise<EmbeddedPipeline> {
  const { config, logger, registry, lifecycle, policySource } = options;
  // The engine's part of tracingHealth.sampling (adaptive, tail), read with the rest of it.
  const { engine: sampling } = readSamplingSettings(config);
  const pipelineLogger = logger.child({ component: 'pipeline' });
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, meta?: Record<string, unknown>) =>
      pipelineLogger[level](message, meta as JsonObject | undefined);
  const pipelineRaw = (config.getOptional('tracingHealth.pipeline') ??
    {}) as any;
  const configuredWorkers = config.getOptionalNumber(
    'tracingHealth.pipeline.workers',
  );
  let workers = configuredWorkers ?? defaultWorkerCount();
  if (workers > 0 && !WorkerPool.available()) {
    logger.warn(
      'the pipeline worker entry is not in this build; the pipeline runs on the event loop (tracingHealth.pipeline.workers ignored)',
    );
    workers = 0;
  }

  const traceDigests = new TraceDigests();
  if (workers > 0) {
    const pool = new WorkerPool({
      onAggregates: data => {
        if (data.digests) traceDigests.ingest(data.digests);
      },
      config: pipelineRaw,
      workers,
      registry,
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
      sampling: sampling.raw,
      policySource,
      spanMetrics: options.spanMetrics ?? {},
      serviceGraph: options.serviceGraph ?? {},
      cluster: options.cluster,
    });
    await pool.start();
    lifecycle.addShutdownHook(async () => {
      await options.beforeShutdown?.();
      await pool.shutdown();
    });
    logger.info('embedded tracing pipeline started', {
      workers,
      exporters: pool.config.exporters.map(e => e.name).join(', ') || 'none',
    });
    return {
      pipeline: pool,
      currentRates: () => pool.currentRates(),
      workers,
      spanMetrics: pool.spanMetrics(),
      serviceGraph: pool.serviceGraph(),
      traceDigests,
    };
  }

  const samplingStage = createSamplingStage({
    policySource,
    registry,
    ...samplingStageOptionsFromConfig(sampling.config),
    onDecided: traceDigests.recorder(),
    // This replica owns 1 / members of the fleet's traces: targets and rate limits hold fleet-wide.
    share: () => shareOfOwners(options.cluster?.view()?.members.length ?? 1),
    onError: error =>
      logger.error('sampling stage failed to decide', { error: String(error) }),
  });
  let stage: SamplingStage | undefined;
  const { cluster } = options;
  // A share whose forward failed comes back to this pipeline as a routed request.
  const created: { pipeline?: Pipeline } = {};
  const pipeline = createPipeline({
    config: pipelineRaw,
    registry,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    sampler: outputs => {
      stage = samplingStage(outputs);
      return stage;
    },
    shards: cluster
      ? createClusterShardRouter({
          view: cluster.view,
          forward: cluster.forward,
          decideLocally: body => decideRoutedHere(created.pipeline!, body),
        })
      : undefined,
  });
  created.pipeline = pipeline;
  await pipeline.start();
  lifecycle.addShutdownHook(async () => {
    await options.beforeShutdown?.();
    await pipeline.shutdown();
  });
  logger.info('embedded tracing pipeline started', {
    workers: 0,
    exporters: pipeline.config.exporters.map(e => e.name).join(', ') || 'none',
  });
  return {
    pipeline,
    currentRates: () => stage?.currentRates() ?? {},
    workers: 0,
    inProcess: pipeline,
    traceDigests,
  };
}
