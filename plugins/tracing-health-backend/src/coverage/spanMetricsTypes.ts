// The span-metrics names coverage uses, from the pipeline package's entry point.
export {
  SpanMetrics,
  histogramQuantile,
  DEFAULT_DURATION_BUCKETS_SECONDS,
} from '@internal/tracing-pipeline';
export type {
  SpanMetricsSnapshot,
  ServiceSpanCounters,
  SpanMetricsClock,
} from '@internal/tracing-pipeline';
