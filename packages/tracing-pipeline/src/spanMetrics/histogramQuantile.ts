/**
 * Index of the histogram bucket a value falls into: the first upper bound `>= value`, or
 * `bounds.length` (the `+Inf` bucket). Bounds are sorted ascending, as Prometheus requires.
 */
export function bucketIndex(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= bounds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The q-quantile of a histogram given per-bucket (not cumulative) counts, where
 * `counts.length === bounds.length + 1` and the last count is the `+Inf` bucket. Same
 * estimate as PromQL's `histogram_quantile`: linear interpolation inside the bucket that holds
 * the rank, the first bucket starting at 0, and the highest finite bound when the rank falls
 * in `+Inf`. Undefined when the histogram is empty.
 */
export function histogramQuantile(
  q: number,
  bounds: readonly number[],
  counts: readonly number[],
): number | undefined {
  if (!(q >= 0 && q <= 1))
    throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  if (counts.length !== bounds.length + 1) {
    throw new RangeError(
      `expected ${bounds.length + 1} bucket counts for ${
        bounds.length
      } bounds, got ${counts.length}`,
    );
  }
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return undefined;

  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cumulative;
    cumulative += counts[i];
    if (cumulative >= rank && counts[i] > 0) {
      if (i === bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1];
      const upper = bounds[i];
      return lower + ((upper - lower) * (rank - before)) / counts[i];
    }
  }
  return bounds[bounds.length - 1];
}
