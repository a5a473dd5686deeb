import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import type { SamplingPolicySource } from '@internal/tracing-model';
import type { Registry } from 'prom-client';
import type { PipelineConfigInput } from '../config';
import type { PipelineLogger } from '../pipeline';
import type { WorkerPoolCluster } from './clusterForwarding';
import type { WorkerAggregates, WorkerInit } from './protocol';

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
