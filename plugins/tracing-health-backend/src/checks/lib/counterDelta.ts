/**
 * The increase of cumulative counters since the previous reading. When there is no previous
 * reading, or any counter went down (the source restarted), the current values are the
 * increase since the source started.
 */
export function counterDelta<K extends string>(
  current: Record<K, number>,
  previous: unknown,
): { values: Record<K, number>; sinceStart: boolean } {
  const prev = previous as Partial<Record<K, number>> | undefined;
  const keys = Object.keys(current) as K[];
  const usable =
    prev !== undefined &&
    prev !== null &&
    keys.every(k => typeof prev[k] === 'number' && current[k] >= prev[k]!);
  if (!usable) return { values: { ...current }, sinceStart: true };
  const values = {} as Record<K, number>;
  for (const k of keys) values[k] = current[k] - prev[k]!;
  return { values, sinceStart: false };
}
