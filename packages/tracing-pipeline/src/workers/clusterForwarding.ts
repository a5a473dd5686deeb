import type {
  ClusterView,
  ForwardOutcome,
  ForwardShard,
} from '../routing/clusterRouting';
import type { MainToWorker, WorkerInit } from './protocol';
import type { Slot } from './workerSlots';

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
    shard?: ForwardShard,
  ): Promise<ForwardOutcome>;
}

/** The cluster view a worker starts with (absent: not clustered). */
export function clusterInit(
  cluster: WorkerPoolCluster | undefined,
): WorkerInit['cluster'] {
  return cluster ? { view: cluster.view() } : undefined;
}

/** Posts each new cluster view to the live workers; returns a function that stops (if clustered). */
export function followClusterView(
  cluster: WorkerPoolCluster | undefined,
  slots: readonly (Slot | undefined)[],
): (() => void) | undefined {
  return cluster?.onChange(() => {
    const view = cluster.view();
    for (const slot of slots)
      if (slot && !slot.dead)
        slot.worker.postMessage({
          t: 'cluster',
          view,
        } satisfies MainToWorker);
  });
}
