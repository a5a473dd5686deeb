import { ServiceFigures } from '@internal/plugin-tracing-health-common';
import { RollupCounts } from './rollupRow';
import { histogramQuantile } from './spanMetricsTypes';

export const NO_FIGURES: ServiceFigures = Object.freeze({
  spansPerSecond: 0,
  requestsPerSecond: 0,
  tracesPerSecond: 0,
  judgedTraces: 0,
  orphanSpans: 0,
});

function quantile(
  q: number,
  bounds: readonly number[],
  counts: number[],
): number | undefined {
  return counts.length === bounds.length + 1
    ? histogramQuantile(q, bounds, counts)
    : undefined;
}

/** RED and completeness figures of counts gathered over `seconds`. */
export function serviceFigures(
  counts: RollupCounts,
  bounds: readonly number[],
  seconds: number,
): ServiceFigures {
  const judgedTraces = counts.completeTraces + counts.incompleteTraces;
  const figures: ServiceFigures = {
    spansPerSecond: seconds > 0 ? counts.spans / seconds : 0,
    requestsPerSecond: seconds > 0 ? counts.entrySpans / seconds : 0,
    tracesPerSecond: seconds > 0 ? counts.rootSpans / seconds : 0,
    judgedTraces,
    orphanSpans: counts.orphanSpans,
  };
  if (counts.spans > 0) figures.errorRatio = counts.errorSpans / counts.spans;
  if (judgedTraces > 0)
    figures.completeness = counts.completeTraces / judgedTraces;
  const p50 = quantile(0.5, bounds, counts.durationCounts);
  if (p50 !== undefined) {
    figures.p50Seconds = p50;
    figures.p95Seconds = quantile(0.95, bounds, counts.durationCounts);
    figures.p99Seconds = quantile(0.99, bounds, counts.durationCounts);
  }
  return figures;
}
