import type { MessagePort } from 'node:worker_threads';
import type { EffectivePolicy } from '@internal/tracing-model';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { AccountingSnapshot } from '../telemetry/accounting';
import type { ExportStatus } from '../exporter/exporter';
import type { ClusterView, ForwardShare } from '../routing/clusterRouting';
import type { PipelineConfigInput } from '../config';
import type { MemoryUsage } from '../receiver/memoryLimiter';
import type { SpanMetricsSnapshot } from '../spanMetrics';
import type { TraceDigestDelta } from '../sampling/traceDigests';
import type { ServiceGraphSnapshot } from '../serviceGraph';

/** Every effective policy the main thread's policy source knows, posted when its version changes. */
export interface PolicySnapshot {
  version: number;
  defaultPolicy: EffectivePolicy;
  services: Record<string, EffectivePolicy>;
}

/** What a worker is started with (workerData). */
/** Marks workerData as a pipeline worker's, so loading the worker module elsewhere does nothing. */
export const PIPELINE_WORKER_ROLE = 'tracing-pipeline-worker';

export interface WorkerInit {
  role: typeof PIPELINE_WORKER_ROLE;
  index: number;
  workers: number;
  /** `tracingHealth.pipeline`, with this worker's own persistent queue directories. */
  pipeline: PipelineConfigInput;
  /** The engine's part of `tracingHealth.sampling`; absent: no sampling stage. */
  sampling?: unknown;
  policies?: PolicySnapshot;
  /** SpanMetrics options (without registry); absent: no span metrics. */
  spanMetrics?: {
    completenessWindowMs?: number;
    maxTraces?: number;
    maxServices?: number;
  };
  /** ServiceGraph options (without registry); absent: no service graph. */
  serviceGraph?: {
    waitMs?: number;
    maxPending?: number;
    maxEdges?: number;
    maxServices?: number;
  };
  /** How long a worker waits for a peer to answer for its share. */
  shareTimeoutMs: number;
  /**
   * Portal replicas (tracingHealth.cluster): when set, each request's spans are split by trace id
   * over the live members first, and other members' shares go to the main thread to forward.
   */
  cluster?: { view: ClusterView | undefined };
  /** Enables the test-only `hook` message. */
  testHooks?: boolean;
}

export type MainToWorker =
  | {
      t: 'req';
      id: number;
      contentType?: string | null;
      contentEncoding?: string | null;
      body: Uint8Array;
      /** Forwarded by a peer replica: decided here (see OtlpHttpRequest.routed). */
      routed?: boolean;
    }
  | { t: 'cluster'; view: ClusterView | undefined }
  | { t: 'peer'; index: number; port: MessagePort }
  | { t: 'peerGone'; index: number }
  | { t: 'policies'; snapshot: PolicySnapshot }
  | { t: 'collect'; id: number }
  | { t: 'shutdown' }
  | { t: 'hook'; name: 'allocate' | 'hang' | 'crash' };

/** The aggregates a worker reports on an interval (never per span). */
export interface WorkerAggregates {
  accounting: AccountingSnapshot;
  memory: MemoryUsage;
  exports: ExportStatus;
  metrics: MetricObjectWithValues<MetricValue<string>>[];
  rates: Record<string, number>;
  spanMetrics?: SpanMetricsSnapshot;
  serviceGraph?: ServiceGraphSnapshot;
  /** Trace digests and per-root-service counts since the previous report. */
  digests?: TraceDigestDelta;
}

export type WorkerToMain =
  | { t: 'ready' }
  | {
      t: 'res';
      id: number;
      status: number;
      headers: Record<string, string>;
      body: Uint8Array;
      /** The request's shares for other replicas: the main thread queues them, then answers. */
      forwards?: ForwardShare[];
    }
  | { t: 'collected'; id: number; data: WorkerAggregates }
  | { t: 'shutdownDone' }
  | {
      t: 'log';
      level: 'info' | 'warn' | 'error';
      message: string;
      meta?: Record<string, unknown>;
    };

export type PeerMessage =
  | { t: 'share'; id: number; body: Uint8Array }
  | {
      t: 'shareRes';
      id: number;
      status: number;
      retryAfterSeconds?: number;
      message: string;
    };

/** A Uint8Array that owns its whole ArrayBuffer, so it can be transferred without detaching a pool. */
export function transferable(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
    return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}
