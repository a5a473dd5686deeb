export { SpanMetrics, DEFAULT_DURATION_BUCKETS_SECONDS } from './SpanMetrics';
export type {
  SpanMetricsClock,
  SpanMetricsOptions,
  SpanMetricsSnapshot,
  ServiceSpanCounters,
} from './SpanMetrics';
export { histogramQuantile, bucketIndex } from './histogramQuantile';
export { CompletenessTracker } from './CompletenessTracker';
export type {
  TraceJudgement,
  CompletenessTrackerOptions,
} from './CompletenessTracker';
export {
  OVERFLOW_SERVICE,
  MAX_SERVICE_NAME_LENGTH,
  UNKNOWN_SERVICE,
  SPAN_KIND_LABELS,
  STATUS_CODE_LABELS,
} from './labels';
export type { SpanKindLabel, StatusCodeLabel } from './labels';
