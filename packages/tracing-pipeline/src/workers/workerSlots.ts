import type { ForwardShare } from '../routing/clusterRouting';
import { ResourceLimits, Worker } from 'node:worker_threads';
import type { Counter } from 'prom-client';
import type { PipelineLogger } from '../pipeline';
import type { OtlpHttpResponse } from '../receiver/receiver';
import { pipelineWorkerFile } from './pipelineWorker';
import type {
  MainToWorker,
  WorkerAggregates,
  WorkerInit,
  WorkerToMain,
} from './protocol';
import { announcePeerGone, connectPeers } from './workerPeers';

/** A request handed to a worker and not yet answered. */
export interface InFlight {
  /** The answer, with the request's shares for other replicas (if it has any). */
  resolve(res: OtlpHttpResponse, forwards?: ForwardShare[]): void;
  timer: NodeJS.Timeout;
}

/** One worker thread's place in the pool; a replacement takes a new Slot at the same index. */
export interface Slot {
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

/** What the rest of the pool does with a worker's messages and its end. */
export interface SlotListeners {
  answered(slot: Slot, m: Extract<WorkerToMain, { t: 'res' }>): void;
  collected(slot: Slot, m: Extract<WorkerToMain, { t: 'collected' }>): void;
  /** A worker stopped on purpose at shutdown: its figures stay in the totals. */
  stopped(slot: Slot): void;
  /** A worker died: answers what it held and keeps its figures; returns the spans lost with it. */
  died(slot: Slot, reason: string): number;
}

export interface WorkerSlotsOptions {
  workers: number;
  /** What worker `index` starts with, asked at each (re)spawn. */
  init(index: number): WorkerInit;
  resourceLimits: ResourceLimits;
  logger: PipelineLogger;
  /** `worker_restarts_total{reason}`. */
  restarts: Counter<'reason'>;
  /** `worker_lost_spans_total{reason}`. */
  lostSpans: Counter<'reason'>;
  listeners: SlotListeners;
}

/**
 * The file a worker thread starts from: the built worker module in a production bundle, or from
 * source a JS shim that registers the TypeScript transform first (a worker does not inherit the
 * parent's require hooks).
 */
export function workerEntry(): string | undefined {
  if (!/\.tsx?$/.test(pipelineWorkerFile)) return pipelineWorkerFile;
  try {
    return require.resolve('./workerEntry.js');
  } catch {
    return undefined;
  }
}

/**
 * The worker threads' lifecycle: spawn, ready, death (crash, out of memory, or killed when hung)
 * and replacement after a short pause, unless the pool is stopping.
 */
export class WorkerSlots {
  readonly slots: (Slot | undefined)[];
  /** Set once the pool shuts down: workers that exit are not replaced. */
  stopping = false;
  private readonly readyWaiters: Array<() => void> = [];

  constructor(private readonly options: WorkerSlotsOptions) {
    this.slots = new Array(options.workers);
  }

  /** Starts worker `index` (again) and connects it with the other live workers. */
  spawn(index: number) {
    const { listeners, logger } = this.options;
    const init = this.options.init(index);
    const entry = workerEntry();
    if (!entry)
      throw new Error('the pipeline worker entry is not in this build');
    const worker = new Worker(entry, {
      workerData: init,
      resourceLimits: this.options.resourceLimits,
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
        case 'res':
          listeners.answered(slot, m);
          break;
        case 'collected':
          listeners.collected(slot, m);
          break;
        case 'shutdownDone':
          slot.shutdownDone?.();
          break;
        case 'log':
          logger[m.level](`worker ${index}: ${m.message}`, m.meta);
          break;
        default:
      }
    });
    worker.on('error', e => {
      slot.deathReason ??=
        (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'out_of_memory'
          : 'crash';
      logger.error(`pipeline worker ${index} failed`, {
        error: String(e),
      });
    });
    worker.on('exit', () => this.onExit(slot));
    connectPeers(slot, this.slots);
  }

  /** Terminates a worker (hung, say); it is replaced like one that died. */
  kill(slot: Slot, reason: string) {
    if (slot.dead) return;
    slot.deathReason ??= reason;
    void slot.worker.terminate();
  }

  /** Resolves once every slot has a worker that is ready (dead or not: at start). */
  started(): Promise<void> {
    return this.until(() => this.slots.every(s => s?.ready));
  }

  /** Resolves when every slot has a running worker again. */
  whenAllReady(): Promise<void> {
    return this.until(() => this.slots.every(s => s?.ready && !s.dead));
  }

  /** Test only: asks worker `index` to run out of heap, hang or throw. */
  hook(index: number, name: 'allocate' | 'hang' | 'crash') {
    this.slots[index]?.worker.postMessage({
      t: 'hook',
      name,
    } satisfies MainToWorker);
  }

  /** Asks every live worker to shut its pipeline down; waits for each up to `timeoutMs`. */
  async stopAll(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.slots.map(slot => {
        if (!slot || slot.dead) return undefined;
        return new Promise<void>(resolve => {
          const timer = setTimeout(resolve, timeoutMs);
          slot.shutdownDone = () => {
            clearTimeout(timer);
            resolve();
          };
          slot.worker.postMessage({ t: 'shutdown' } satisfies MainToWorker);
        });
      }),
    );
  }

  async terminateAll(): Promise<void> {
    await Promise.all(this.slots.map(s => s?.worker.terminate()));
  }

  private onExit(slot: Slot) {
    if (slot.dead) return;
    slot.dead = true;
    const reason = slot.deathReason ?? 'crash';
    const { listeners } = this.options;
    if (this.stopping && !slot.deathReason) {
      listeners.stopped(slot);
      return;
    }
    this.options.restarts.inc({ reason });
    const lost = listeners.died(slot, reason);
    this.options.lostSpans.inc({ reason: 'worker_exit' }, lost);
    this.options.logger.error(
      `pipeline worker ${slot.index} stopped (${reason}); ${lost} spans it held are lost; starting a replacement`,
    );
    announcePeerGone(slot, this.slots);
    if (this.stopping) return;
    // A short pause, so a worker that dies on start does not spin the main thread.
    setTimeout(() => {
      if (!this.stopping) this.spawn(slot.index);
    }, 100);
  }

  private until(done: () => boolean): Promise<void> {
    return new Promise(resolve => {
      const check = () => (done() ? resolve() : this.readyWaiters.push(check));
      check();
    });
  }

  private wakeReadyWaiters() {
    const waiters = this.readyWaiters.splice(0);
    for (const w of waiters) w();
  }
}
