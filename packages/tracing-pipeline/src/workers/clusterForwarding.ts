import type { ClusterView, ForwardOutcome } from '../routing/clusterRouting';
import type { MainToWorker, WorkerInit, WorkerToMain } from './protocol';
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

/**
 * Forwards the share of spans another replica owns, which a worker handed to the main thread, and
 * answers the worker with the outcome (unless it died meanwhile).
 */
export function forwardForWorker(
  cluster: WorkerPoolCluster | undefined,
  slot: Slot,
  m: Extract<WorkerToMain, { t: 'forward' }>,
) {
  const forwarded = (outcome: ForwardOutcome) => {
    if (!slot.dead)
      slot.worker.postMessage({
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
}
