/**
 * A compact Map key for a trace or span id: its length, then two bytes per UTF-16 code unit
 * (9 units for a trace id, 5 for a span id). Much cheaper than hex, injective, and only ever
 * used as a key, never shown. The usual 16- and 8-byte ids are built in one call (a flat
 * string, not a chain of concatenations).
 */
export function idKey(b: Uint8Array): string {
  const n = b.length;
  if (n === 16) {
    return String.fromCharCode(
      16,
      (b[0] << 8) | b[1],
      (b[2] << 8) | b[3],
      (b[4] << 8) | b[5],
      (b[6] << 8) | b[7],
      (b[8] << 8) | b[9],
      (b[10] << 8) | b[11],
      (b[12] << 8) | b[13],
      (b[14] << 8) | b[15],
    );
  }
  if (n === 8) {
    return String.fromCharCode(
      8,
      (b[0] << 8) | b[1],
      (b[2] << 8) | b[3],
      (b[4] << 8) | b[5],
      (b[6] << 8) | b[7],
    );
  }
  let key = String.fromCharCode(n);
  for (let i = 0; i + 1 < n; i += 2) {
    key += String.fromCharCode((b[i] << 8) | b[i + 1]);
  }
  if (n % 2 === 1) key += String.fromCharCode(b[n - 1]);
  return key;
}
