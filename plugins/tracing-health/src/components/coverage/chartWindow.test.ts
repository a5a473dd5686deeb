import { CoverageSeriesPoint } from '@internal/plugin-tracing-health-common';
import {
  defaultWindowHours,
  firstDataIndex,
  pointsWithData,
  ratioAxisTop,
} from './chartWindow';

const NOW = Date.parse('2026-12-04T07:40:00Z');
const MIN = 60_000;

function point(minutesAgo: number, spans: number): CoverageSeriesPoint {
  return {
    time: new Date(NOW - minutesAgo * MIN).toISOString(),
    spans,
    errorSpans: 0,
    traces: 0,
    requests: spans,
    spansPerSecond: spans / 60,
    requestsPerSecond: spans / 60,
    tracesPerSecond: 0,
    errorRatio: spans ? 0 : null,
    p95Seconds: spans ? 0.1 : null,
    completeness: null,
    orphanSpans: 0,
  };
}

describe('chart window', () => {
  it('picks the smallest window that holds the data', () => {
    expect(defaultWindowHours(NOW - 9 * MIN, NOW)).toBe(1);
    expect(defaultWindowHours(NOW - 61 * MIN, NOW)).toBe(6);
    expect(defaultWindowHours(NOW - 7 * 60 * MIN, NOW)).toBe(24);
    expect(defaultWindowHours(NOW - 72 * 60 * MIN, NOW)).toBe(24);
    expect(defaultWindowHours(undefined, NOW)).toBe(1);
  });

  it('draws from the first step with data, not the hours before the portal existed', () => {
    const points = [
      point(59, 0),
      point(58, 0),
      point(3, 40),
      point(2, 0),
      point(1, 30),
    ];
    expect(firstDataIndex(points)).toBe(2);
    expect(pointsWithData(points).map(p => p.spans)).toEqual([40, 0, 30]);
    expect(pointsWithData([point(5, 0)])).toEqual([]);
  });

  it('tops a ratio axis at the data, never above 100%', () => {
    expect(ratioAxisTop([null, null])).toBe(0.01);
    expect(ratioAxisTop([0, 0.004])).toBe(0.01);
    expect(ratioAxisTop([0.03, null])).toBe(0.05);
    expect(ratioAxisTop([0.6])).toBe(0.75);
    expect(ratioAxisTop([1])).toBe(1);
    expect(ratioAxisTop([4])).toBe(1);
  });
});
