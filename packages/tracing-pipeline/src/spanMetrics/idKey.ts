/**
 * A compact Map key for a trace or span id: its length, then two bytes per UTF-16 code unit
 * (9 units for a trace id, 5 for a span id). Much cheaper than hex, injective, and only ever
 * used as a key, never shown.
 */
export function idKey(bytes: Uint8Array): string {
  const n = bytes.length;
  let key = String.fromCharCode(n);
  for (let i = 0; i + 1 < n; i += 2) {
    key += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
  }
  if (n % 2 === 1) key += String.fromCharCode(bytes[n - 1]);
  return key;
}
