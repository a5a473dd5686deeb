import { CoverageSeriesPoint } from '@internal/plugin-tracing-health-common';

/** The windows a user can pick for the coverage charts, in hours. */
export const CHART_WINDOWS_HOURS = [1, 6, 24] as const;
export type ChartWindowHours = (typeof CHART_WINDOWS_HOURS)[number];

/** Series with at most this many points draw a marker on each, so a short one stays visible. */
export const MARKERS_UP_TO_POINTS = 60;

const hasData = (p: CoverageSeriesPoint) => p.spans > 0 || p.orphanSpans > 0;

/** Index of the first step with spans in it, or -1 when the series has none. */
export function firstDataIndex(points: readonly CoverageSeriesPoint[]): number {
  return points.findIndex(hasData);
}

/**
 * The smallest window that holds all the data a series has (data starting at `firstDataMs`),
 * so a portal that has run for minutes charts minutes, not a flat day and a spike.
 */
export function defaultWindowHours(
  firstDataMs: number | undefined,
  nowMs: number,
): ChartWindowHours {
  if (firstDataMs === undefined) return 1;
  const ageHours = (nowMs - firstDataMs) / 3_600_000;
  return CHART_WINDOWS_HOURS.find(h => ageHours <= h) ?? 24;
}

/**
 * The part of a series worth drawing: from its first step with data to its end. Steps before
 * it are time the service (or the portal) was not sending, not zero traffic.
 */
export function pointsWithData(
  points: readonly CoverageSeriesPoint[],
): CoverageSeriesPoint[] {
  const first = firstDataIndex(points);
  return first < 0 ? [] : points.slice(first);
}

const NICE_RATIO_TOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1];

/** Top of a 0..1 ratio axis: the data's max rounded up to a round figure, never above 100%. */
export function ratioAxisTop(values: ReadonlyArray<number | null>): number {
  let max = 0;
  for (const v of values)
    if (v !== null && Number.isFinite(v) && v > max) max = v;
  return NICE_RATIO_TOPS.find(top => max <= top) ?? 1;
}
