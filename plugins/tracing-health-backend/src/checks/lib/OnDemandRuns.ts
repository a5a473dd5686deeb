/** An on-demand run asked for too soon after the previous one of the same check. */
export class RunThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number, minIntervalSeconds: number) {
    super(
      `A check runs on demand at most once every ${minIntervalSeconds}s; try again in ${retryAfterSeconds}s`,
    );
    this.name = 'RunThrottledError';
  }
}

/**
 * Throttles on-demand runs per key (check id): a request while a run is in flight joins it
 * instead of starting another; once it has started, the next run of that key may start
 * `minIntervalMs` later at the earliest (RunThrottledError until then). Keys must be bounded
 * (configured check ids), as one timestamp per key is kept.
 */
export class OnDemandRuns {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lastStart = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts `start()` for `key`, or joins the run in flight; `joined` says which. */
  async run(
    key: string,
    start: () => Promise<void>,
  ): Promise<{ joined: boolean }> {
    const running = this.inFlight.get(key);
    if (running) {
      await running;
      return { joined: true };
    }
    const last = this.lastStart.get(key);
    const now = this.now();
    if (last !== undefined && now - last < this.minIntervalMs) {
      throw new RunThrottledError(
        Math.max(1, Math.ceil((last + this.minIntervalMs - now) / 1000)),
        this.minIntervalMs / 1000,
      );
    }
    this.lastStart.set(key, now);
    const run = start().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    await run;
    return { joined: false };
  }
}
