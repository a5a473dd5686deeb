/**
 * Per-key token buckets: `perSecond` tokens a second, bursts up to `max(1, perSecond)`.
 * The head sampler's `rate-limiting` strategy takes one token per trace (per service, per
 * replica, like Jaeger's rate-limiting sampler in an SDK). Keys are bounded: beyond `maxKeys`
 * the least recently used bucket is forgotten (it restarts full).
 */
export class TokenBuckets {
  private readonly buckets = new Map<
    string,
    { tokens: number; last: number; seen: number; kept: number }
  >();

  constructor(private readonly maxKeys = 10_000) {}

  /** Takes `cost` tokens for `key` at `nowMs`; false when there are not enough. */
  take(key: string, perSecond: number, nowMs: number, cost = 1): boolean {
    const capacity = Math.max(1, perSecond);
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: capacity, last: nowMs, seen: 0, kept: 0 };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      this.buckets.delete(key); // re-insert: most recently used last
      const elapsed = Math.max(0, nowMs - b.last) / 1000;
      b.tokens = Math.min(capacity, b.tokens + elapsed * perSecond);
      b.last = nowMs;
    }
    this.buckets.set(key, b);
    b.seen++;
    if (b.tokens >= cost) {
      b.tokens -= cost;
      b.kept++;
      return true;
    }
    return false;
  }

  /** Kept / seen since the last call, per key that saw traffic (then resets the counts). */
  drainKeptFractions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, b] of this.buckets) {
      if (b.seen > 0) out.set(key, b.kept / b.seen);
      b.seen = 0;
      b.kept = 0;
    }
    return out;
  }
}

/**
 * A fixed one-second window counter, as the collector's `rate_limiting` tail policy: keeps a
 * trace while the spans kept this second plus its spans stay within the limit (read each second:
 * an owner's share of a fleet-wide limit follows the live owners).
 */
export class SpansPerSecondWindow {
  private second = Number.NEGATIVE_INFINITY;
  private spent = 0;
  private limitNow = 0;

  constructor(private readonly limit: () => number) {}

  tryTake(spans: number, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.spent = 0;
      this.limitNow = this.limit();
    }
    if (this.spent + spans > this.limitNow) return false;
    this.spent += spans;
    return true;
  }
}
