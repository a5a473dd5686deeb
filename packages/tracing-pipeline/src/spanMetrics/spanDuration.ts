import { Int64, int64ToNumber } from '../otlp/model';

const TWO_POW_32 = 4294967296;

/**
 * A span's duration in seconds (0 when the end precedes the start). Epoch nanoseconds exceed
 * 2^53, so converting each timestamp to a number first would lose up to ~256 ns; when both are
 * Long-like the difference is taken on their 32-bit halves instead.
 */
export function spanDurationSeconds(
  start: Int64 | null | undefined,
  end: Int64 | null | undefined,
): number {
  let nanos: number;
  if (start && end && typeof start === 'object' && typeof end === 'object') {
    nanos =
      (end.high - start.high) * TWO_POW_32 +
      ((end.low >>> 0) - (start.low >>> 0));
  } else {
    nanos = int64ToNumber(end) - int64ToNumber(start);
  }
  return nanos > 0 ? nanos / 1e9 : 0;
}
