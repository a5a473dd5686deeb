// The pipeline package has no entry point for span metrics yet; this is the one place that
// reaches into it, so switching to `@internal/tracing-pipeline` later is a one-file change.
/* eslint-disable @backstage/no-forbidden-package-imports */
export {
  SpanMetrics,
  histogramQuantile,
  DEFAULT_DURATION_BUCKETS_SECONDS,
} from '@internal/tracing-pipeline/src/spanMetrics';
export type {
  SpanMetricsSnapshot,
  ServiceSpanCounters,
  SpanMetricsClock,
} from '@internal/tracing-pipeline/src/spanMetrics';
