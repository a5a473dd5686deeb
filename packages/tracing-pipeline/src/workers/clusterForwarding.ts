import type { ClusterView, ForwardOutcome } from '../routing/clusterRouting';
import type { MainToWorker, WorkerInit, WorkerToMain } from './protocol';
import type { Slot } from './workerSlots';

/** The main thread's side of routing across portal replicas, for the workers. */
export interface WorkerPoolCluster {
  view(): ClusterView | undefined;
  /** Calls `listener` whenever the view changes; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void;
  /**
   * Forwards a share to its owner: resolves once it is queued (`ok`), else with why not, for the
   * caller to decide it (never rejects; counts its own outcomes). The in-process pipeline's way.
   */
  forward(
    peer: string,
    body: Uint8Array,
    spans: number,
  ): Promise<ForwardOutcome>;
  /**
   * Takes a share a worker split off for good: queues it for its owner, or has it decided here
   * when the owner's queue cannot take it (counted; spans this replica cannot decide either are
   * counted lost). The workers' way: a request does not wait for a message back.
   */
  take(peer: string, body: Uint8Array, spans: number): void;
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

/** Hands the share of spans another replica owns, which a worker split off, to the cluster. */
export function forwardForWorker(
  cluster: WorkerPoolCluster | undefined,
  m: Extract<WorkerToMain, { t: 'forward' }>,
) {
  // A worker forwards only when it was started with a cluster view.
  cluster?.take(m.peer, m.body, m.spans);
}
