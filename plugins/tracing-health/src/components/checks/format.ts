import {
  CheckMeasurement,
  CheckResult,
} from '@internal/plugin-tracing-health-common';

/** A measured value with its unit: ratios as percentages, milliseconds and days rounded. */
export function formatValue(
  m: Pick<CheckMeasurement, 'value' | 'unit'>,
): string {
  if (m.value === undefined || m.value === null) return '';
  if (m.unit === 'ratio') return `${(m.value * 100).toFixed(1)}%`;
  if (m.unit === 'ms') return `${Math.round(m.value)} ms`;
  if (m.unit === 'days') return `${m.value.toFixed(1)} days`;
  const rounded = Number.isInteger(m.value)
    ? String(m.value)
    : m.value.toFixed(2);
  return m.unit ? `${rounded} ${m.unit}` : rounded;
}

/** "value (threshold x)" for the measurement that decided a result. */
export function formatValueAndThreshold(
  r: Pick<CheckResult, 'value' | 'unit' | 'threshold'>,
): string {
  const value = formatValue(r);
  if (!value) return '';
  const threshold =
    r.threshold !== undefined
      ? formatValue({ value: r.threshold, unit: r.unit })
      : '';
  return threshold ? `${value} (threshold ${threshold})` : value;
}

/** How long ago an ISO time was, e.g. `just now`, `5 min ago`, `3 h ago`. */
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
