import { idKey } from '../spanMetrics/idKey';

/**
 * The store key of (trace id, span id): a flat string built in one call for the usual 16- and
 * 8-byte ids (a concatenation of two idKeys would be flattened again on every Map lookup).
 * Other lengths use idKey's self-delimiting form, one unit longer when it would have the
 * 12 units of the usual form, so the two forms never meet.
 */
export function pairKey(traceId: Uint8Array, spanId: Uint8Array): string {
  const t = traceId;
  const s = spanId;
  if (t.length === 16 && s.length === 8) {
    return String.fromCharCode(
      (t[0] << 8) | t[1],
      (t[2] << 8) | t[3],
      (t[4] << 8) | t[5],
      (t[6] << 8) | t[7],
      (t[8] << 8) | t[9],
      (t[10] << 8) | t[11],
      (t[12] << 8) | t[13],
      (t[14] << 8) | t[15],
      (s[0] << 8) | s[1],
      (s[2] << 8) | s[3],
      (s[4] << 8) | s[5],
      (s[6] << 8) | s[7],
    );
  }
  const key = idKey(t) + idKey(s);
  return key.length === 12 ? `${key}\u0000` : key;
}
