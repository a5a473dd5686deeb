const DASH = '—';

/** Events per second, e.g. `12.3/s`, `0.05/s`, `<0.01/s`. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined) return DASH;
  if (perSecond === 0) return '0/s';
  if (perSecond < 0.01) return '<0.01/s';
  if (perSecond < 10) return `${perSecond.toFixed(2)}/s`;
  if (perSecond < 100) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond)}/s`;
}

/** A 0..1 ratio as a percentage with one decimal. */
export function formatPercent(ratio: number | undefined | null): string {
  if (ratio === undefined || ratio === null) return DASH;
  return `${(ratio * 100).toFixed(1)}%`;
}

/** Seconds as `850 ms`, `4.2 ms` or `1.25 s`. */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null) return DASH;
  const ms = seconds * 1000;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** How long ago an ISO time was, e.g. `just now`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAgo(
  iso: string | undefined,
  now: number = Date.now(),
): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/**
 * A service's traffic for a table cell: requests received per second, or, for a service that
 * receives none but starts traces (a job, a client), those with "started".
 */
export function formatTraffic(figures: {
  requestsPerSecond: number;
  tracesPerSecond: number;
}): string {
  if (figures.requestsPerSecond <= 0 && figures.tracesPerSecond > 0)
    return `${formatRate(figures.tracesPerSecond)} started`;
  return formatRate(figures.requestsPerSecond);
}
