import { MessageChannel } from 'node:worker_threads';
import type { MainToWorker } from './protocol';
import type { Slot } from './workerSlots';

// Shard routing between workers: each worker sends the shares of spans other workers own straight
// to them, over one MessageChannel per pair; the main thread only connects and disconnects them.

/** Connects a new worker with every other live one. */
export function connectPeers(slot: Slot, slots: readonly (Slot | undefined)[]) {
  for (const other of slots) {
    if (!other || other === slot || other.dead) continue;
    const { port1, port2 } = new MessageChannel();
    slot.worker.postMessage(
      { t: 'peer', index: other.index, port: port1 } satisfies MainToWorker,
      [port1],
    );
    other.worker.postMessage(
      { t: 'peer', index: slot.index, port: port2 } satisfies MainToWorker,
      [port2],
    );
  }
}

/** Tells the live workers that a dead one no longer takes shares. */
export function announcePeerGone(
  slot: Slot,
  slots: readonly (Slot | undefined)[],
) {
  for (const other of slots)
    if (other && other !== slot && !other.dead)
      other.worker.postMessage({
        t: 'peerGone',
        index: slot.index,
      } satisfies MainToWorker);
}
