/** `0.953` → `95.3%`; `—` when unknown. */
export function formatPercent(ratio: number | undefined | null): string {
  if (ratio === undefined || ratio === null || !Number.isFinite(ratio)) {
    return '—';
  }
  return `${Number((ratio * 100).toFixed(1))}%`;
}
