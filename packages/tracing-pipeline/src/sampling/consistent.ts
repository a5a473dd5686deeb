/**
 * OpenTelemetry consistent probability sampling (the `th`/`rv` fields of the `ot` tracestate
 * entry, OTEP 235 / "TraceState: Probability Sampling").
 *
 * - Randomness R: 56 bits; the `rv:` value (14 hex digits) of the span's `ot` tracestate entry
 *   when present, otherwise the least-significant 56 bits (bytes 9..15) of the trace id.
 * - Threshold T for a probability p: T = 2^56 - round(p * 2^56), which is round((1 - p) * 2^56)
 *   computed without the cancellation of `1 - p` in floating point.
 * - A trace is kept iff R >= T. So a trace kept at probability p is kept at every p' >= p, and
 *   every replica and every span of the trace agrees.
 * - `th:` carries T as 1–14 hex digits with trailing zeros removed (`th:0` = 100%).
 *
 * 56-bit numbers do not fit a double exactly, so they are held as two integers: `hi` (top 24
 * bits) and `lo` (bottom 32 bits), compared lexicographically.
 */

export const MAX_THRESHOLD_HEX_DIGITS = 14;
const TWO_56 = 1n << 56n;

/** A rejection threshold (T). `hi = 2^24` with `lo = 0` is T = 2^56: nothing is kept. */
export interface Threshold {
  readonly hi: number;
  readonly lo: number;
  /** The `th:` encoding, or undefined for T = 2^56 (never kept, never written). */
  readonly th: string | undefined;
  /** The probability this threshold keeps: (2^56 - T) / 2^56. */
  readonly probability: number;
}

/** Randomness (R), same layout as a threshold. */
export interface Randomness {
  hi: number;
  lo: number;
}

function fromBigInt(t: bigint): Threshold {
  const hi = Number(t >> 32n);
  const lo = Number(t & 0xffffffffn);
  let th: string | undefined;
  if (t < TWO_56) {
    th = t
      .toString(16)
      .padStart(MAX_THRESHOLD_HEX_DIGITS, '0')
      .replace(/0+$/, '');
    if (th === '') th = '0';
  }
  return Object.freeze({
    hi,
    lo,
    th,
    probability: Number(TWO_56 - t) / 2 ** 56,
  });
}

/** Keeps everything (T = 0, `th:0`). */
export const ALWAYS_THRESHOLD = fromBigInt(0n);
/** Keeps nothing (T = 2^56). */
export const NEVER_THRESHOLD = fromBigInt(TWO_56);

const byRate = new Map<number, Threshold>();

/** The threshold of a probability in [0, 1] (clamped; NaN keeps nothing). Cached. */
export function thresholdForRate(rate: number): Threshold {
  const cached = byRate.get(rate);
  if (cached) return cached;
  let threshold: Threshold;
  if (!(rate > 0)) threshold = NEVER_THRESHOLD;
  else if (rate >= 1) threshold = ALWAYS_THRESHOLD;
  else {
    // rate * 2^56 is exact in a double (a power-of-two scale); only the rounding is ours.
    const kept = BigInt(Math.round(rate * 2 ** 56));
    threshold = fromBigInt(TWO_56 - kept);
  }
  if (byRate.size > 10_000) byRate.clear();
  byRate.set(rate, threshold);
  return threshold;
}

const byTh = new Map<string, Threshold | null>();

/** Parses a `th:` value (1–14 hex digits); null when malformed. Cached. */
export function parseThreshold(value: string): Threshold | null {
  const cached = byTh.get(value);
  if (cached !== undefined) return cached;
  let threshold: Threshold | null = null;
  if (
    value.length >= 1 &&
    value.length <= MAX_THRESHOLD_HEX_DIGITS &&
    /^[0-9a-f]+$/.test(value)
  ) {
    threshold = fromBigInt(
      BigInt(`0x${value.padEnd(MAX_THRESHOLD_HEX_DIGITS, '0')}`),
    );
  }
  if (byTh.size > 10_000) byTh.clear();
  byTh.set(value, threshold);
  return threshold;
}

/** Parses an `rv:` value (exactly 14 hex digits); null when malformed. */
export function parseRandomness(value: string): Randomness | null {
  if (value.length !== MAX_THRESHOLD_HEX_DIGITS || !/^[0-9a-f]+$/.test(value))
    return null;
  return {
    hi: parseInt(value.slice(0, 6), 16),
    lo: parseInt(value.slice(6), 16),
  };
}

/** The least-significant 56 bits of a 16-byte trace id. */
export function traceIdRandomness(traceId: Uint8Array): Randomness {
  return {
    hi: (traceId[9] << 16) | (traceId[10] << 8) | traceId[11],
    lo:
      ((traceId[12] << 24) |
        (traceId[13] << 16) |
        (traceId[14] << 8) |
        traceId[15]) >>>
      0,
  };
}

/** R >= T. */
export function isSampled(r: Randomness, t: Threshold): boolean {
  return r.hi > t.hi || (r.hi === t.hi && r.lo >= t.lo);
}

/** The stricter (greater) of two thresholds. */
export function maxThreshold(a: Threshold, b: Threshold): Threshold {
  return a.hi > b.hi || (a.hi === b.hi && a.lo >= b.lo) ? a : b;
}

/** The looser (smaller) of two thresholds. */
export function minThreshold(a: Threshold, b: Threshold): Threshold {
  return a.hi < b.hi || (a.hi === b.hi && a.lo <= b.lo) ? a : b;
}

/** The sampling fields of a tracestate's `ot` entry. */
export interface OtTraceState {
  /** The `th` threshold, when present and well-formed. */
  threshold?: Threshold;
  /** The `rv` randomness, when present and well-formed. */
  randomness?: Randomness;
}

const EMPTY_OT: OtTraceState = Object.freeze({});
const parsedStates = new Map<string, OtTraceState>();

/** The `ot=` list member's value of a W3C tracestate, or undefined. */
function otMember(traceState: string): string | undefined {
  // Fast path: most tracestates have no `ot` entry.
  if (traceState.indexOf('ot=') === -1) return undefined;
  for (const member of traceState.split(',')) {
    const m = member.trim();
    if (m.startsWith('ot=')) return m.slice(3);
  }
  return undefined;
}

/** Reads `th` and `rv` from a span's tracestate. Cached by string (tracestates repeat). */
export function parseOtTraceState(
  traceState: string | null | undefined,
): OtTraceState {
  if (!traceState) return EMPTY_OT;
  const cached = parsedStates.get(traceState);
  if (cached) return cached;
  const ot = otMember(traceState);
  let result: OtTraceState = EMPTY_OT;
  if (ot !== undefined) {
    const out: { threshold?: Threshold; randomness?: Randomness } = {};
    for (const field of ot.split(';')) {
      const colon = field.indexOf(':');
      if (colon <= 0) continue;
      const key = field.slice(0, colon);
      const value = field.slice(colon + 1);
      if (key === 'th') out.threshold = parseThreshold(value) ?? undefined;
      else if (key === 'rv')
        out.randomness = parseRandomness(value) ?? undefined;
    }
    result = Object.freeze(out);
  }
  if (parsedStates.size > 10_000) parsedStates.clear();
  parsedStates.set(traceState, result);
  return result;
}

/**
 * Returns the tracestate with `ot`'s `th` set to `threshold` (or removed, for null). Other
 * `ot` fields (`rv`, vendor fields) and other list members are kept; the modified `ot`
 * member moves to the front, as W3C Trace Context asks of updated entries. An `ot` entry left
 * empty is removed.
 */
export function withThreshold(
  traceState: string | null | undefined,
  threshold: Threshold | null,
): string {
  const th = threshold?.th;
  if (!traceState) return th === undefined ? '' : `ot=th:${th}`;
  const members = traceState.split(',');
  const others: string[] = [];
  let otFields: string[] = [];
  for (const member of members) {
    const m = member.trim();
    if (!m) continue;
    if (m.startsWith('ot=')) {
      otFields = m
        .slice(3)
        .split(';')
        .filter(f => f && !f.startsWith('th:'));
    } else {
      others.push(m);
    }
  }
  if (th !== undefined) otFields.unshift(`th:${th}`);
  if (otFields.length > 0) others.unshift(`ot=${otFields.join(';')}`);
  return others.join(',');
}
