/** Every metric the backend exposes starts with this prefix. */
export const METRIC_PREFIX = 'tracing_health_';

/** Names of the pipeline's self-telemetry on `/api/tracing-health/metrics`. */
export const PIPELINE_METRICS = {
  spansReceived: 'tracing_health_pipeline_spans_received_total',
  spansAccepted: 'tracing_health_pipeline_spans_accepted_total',
  spansRefused: 'tracing_health_pipeline_spans_refused_total',
  spansDropped: 'tracing_health_pipeline_spans_dropped_total',
  spansExported: 'tracing_health_pipeline_spans_exported_total',
  exportFailed: 'tracing_health_pipeline_export_failed_total',
  queueSize: 'tracing_health_pipeline_queue_size',
  queueCapacity: 'tracing_health_pipeline_queue_capacity',
  memoryUsedBytes: 'tracing_health_pipeline_memory_used_bytes',
  memoryLimitBytes: 'tracing_health_pipeline_memory_limit_bytes',
  exportDurationSeconds: 'tracing_health_pipeline_export_duration_seconds',
  redactions: 'tracing_health_pipeline_redactions_total',
  requests: 'tracing_health_pipeline_requests_total',
} as const;

/** Names of the catalog-derived gauges. */
export const CATALOG_METRICS = {
  services: 'tracing_health_catalog_services',
} as const;
