import {
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  createPipeline,
  createSamplingStage,
  parseSamplingConfig,
  Pipeline,
  SamplingStage,
  samplingStageOptionsFromConfig,
} from '@internal/tracing-pipeline';
import { SamplingPolicySource } from '@internal/plugin-tracing-health-common';
import { Registry } from 'prom-client';

/** The keys of `tracingHealth.sampling` that configure the engine (the rest are the control plane's). */
const ENGINE_SAMPLING_KEYS = ['default', 'tiers', 'services', 'adaptive', 'tail'] as const;

export interface EmbeddedPipeline {
  pipeline: Pipeline;
  /** The adaptive sampler's current rate per service, for `/sampling` and the pages. */
  currentRates(): Record<string, number>;
}

/**
 * Starts the embedded pipeline with the sampling stage reading `policySource` (the control
 * plane's database-backed source), loads persistent queues, and flushes on shutdown. Invalid
 * `tracingHealth.pipeline` / `tracingHealth.sampling` config throws here, at start-up, with
 * the offending keys in the message.
 */
export async function startPipeline(options: {
  config: Config;
  logger: LoggerService;
  registry: Registry;
  lifecycle: LifecycleService;
  policySource: SamplingPolicySource;
}): Promise<EmbeddedPipeline> {
  const { config, logger, registry, lifecycle, policySource } = options;
  const samplingRaw = (config.getOptional('tracingHealth.sampling') ?? {}) as Record<
    string,
    unknown
  >;
  const engineSampling = Object.fromEntries(
    ENGINE_SAMPLING_KEYS.filter(k => samplingRaw[k] !== undefined).map(k => [k, samplingRaw[k]]),
  );
  const samplingConfig = parseSamplingConfig(engineSampling);
  const samplingStage = createSamplingStage({
    policySource,
    registry,
    ...samplingStageOptionsFromConfig(samplingConfig),
    onError: error => logger.error('sampling stage failed to decide', { error: String(error) }),
  });

  const pipelineLogger = logger.child({ component: 'pipeline' });
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, meta?: Record<string, unknown>) =>
      pipelineLogger[level](message, meta as JsonObject | undefined);
  let stage: SamplingStage | undefined;
  const pipeline = createPipeline({
    config: (config.getOptional('tracingHealth.pipeline') ?? {}) as any,
    registry,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    sampler: outputs => {
      stage = samplingStage(outputs);
      return stage;
    },
  });
  await pipeline.start();
  lifecycle.addShutdownHook(() => pipeline.shutdown());
  logger.info('embedded tracing pipeline started', {
    exporters: pipeline.config.exporters.map(e => e.name).join(', ') || 'none',
  });
  return { pipeline, currentRates: () => stage?.currentRates() ?? {} };
}
