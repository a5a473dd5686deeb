import { join } from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import type { PipelineConfig, PipelineConfigInput } from '../config';
import { PIPELINE_WORKER_ROLE, WorkerInit } from './protocol';
import type { WorkerPoolOptions } from './workerPoolOptions';

const MiB = 2 ** 20;

/**
 * Each worker's heap cap: its share of `memory.hardLimitBytes` plus room for decoding one request
 * at a time and the worker's own baseline.
 */
export function workerResourceLimits(
  config: PipelineConfig,
  workers: number,
): ResourceLimits {
  return {
    maxOldGenerationSizeMb: Math.ceil(
      config.memory.hardLimitBytes / workers / MiB +
        2 * (config.receiver.maxBodyBytes / MiB) +
        64,
    ),
  };
}

/**
 * Worker `index`'s pipeline config: its share of the memory limits, its own persistent queue
 * directories (`<dir>/worker-<i>`) and fallback file (`<path>.worker-<i>` after the first).
 */
function workerConfig(
  config: PipelineConfig,
  workers: number,
  index: number,
): PipelineConfigInput {
  const { workers: _workers, ...rest } = config;
  const m = config.memory;
  const n = workers;
  return {
    ...rest,
    memory: {
      ...m,
      softLimitBytes: Math.max(1, Math.floor(m.softLimitBytes / n)),
      hardLimitBytes: Math.max(1, Math.floor(m.hardLimitBytes / n)),
      softLimitSpans: Math.max(1, Math.floor(m.softLimitSpans / n)),
      hardLimitSpans: Math.max(1, Math.floor(m.hardLimitSpans / n)),
    },
    exporters: config.exporters.map(e =>
      e.persistentQueueDir
        ? {
            ...e,
            persistentQueueDir: join(e.persistentQueueDir, `worker-${index}`),
          }
        : e,
    ),
    fallback:
      config.fallback && index > 0
        ? {
            ...config.fallback,
            path: `${config.fallback.path}.worker-${index}`,
          }
        : config.fallback,
  };
}

/**
 * What each worker is started with, but for what changes while the pool runs (the cluster view
 * and the sampling policies, added when a worker is spawned).
 */
export function workerInits(
  config: PipelineConfig,
  workers: number,
  options: Pick<
    WorkerPoolOptions,
    'sampling' | 'spanMetrics' | 'serviceGraph' | 'testHooks'
  >,
  deadlineMs: number,
): WorkerInit[] {
  return Array.from({ length: workers }, (_, index) => ({
    role: PIPELINE_WORKER_ROLE,
    index,
    workers,
    pipeline: workerConfig(config, workers, index),
    sampling: options.sampling,
    spanMetrics: options.spanMetrics,
    serviceGraph: options.serviceGraph,
    shareTimeoutMs: Math.max(1000, Math.floor(deadlineMs / 2)),
    testHooks: options.testHooks,
  }));
}
