/**
 * A FIFO worked by at most `concurrency` parallel senders (the exporterhelper's sending queue).
 * Capacity is the caller's to check against `size()`.
 */
export class ExportQueue<T> {
  private readonly waiting: T[] = [];
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly process: (item: T) => Promise<void>,
  ) {}

  /** Items waiting or being processed. */
  size(): number {
    return this.waiting.length + this.active;
  }

  push(item: T): void {
    this.waiting.push(item);
    this.pump();
  }

  /** Queues all of `items` before starting any. */
  pushAll(items: readonly T[]): void {
    for (const item of items) this.waiting.push(item);
    this.pump();
  }

  /** Settles once nothing waits and nothing is being processed. */
  idle(): Promise<void> {
    if (this.size() === 0) return Promise.resolve();
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  /** Starts nothing more; the items still waiting go to `finish`, and count until it settles. */
  stop(finish: (item: T) => Promise<void>): void {
    this.stopped = true;
    const left = this.waiting.splice(0);
    this.active += left.length;
    for (const item of left) {
      void finish(item).finally(() => this.done());
    }
  }

  private done(): void {
    this.active--;
    this.pump();
    if (this.size() === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private pump(): void {
    while (
      !this.stopped &&
      this.active < this.concurrency &&
      this.waiting.length
    ) {
      const item = this.waiting.shift()!;
      this.active++;
      void this.process(item).finally(() => this.done());
    }
  }
}
