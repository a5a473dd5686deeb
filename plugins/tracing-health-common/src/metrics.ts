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

/** Names of the sampling engine's metrics (head, adaptive and tail samplers). */
export const SAMPLING_METRICS = {
  /** Counter{sampler="head"|"tail", policy, decision="sampled"|"not_sampled"}: one per trace decision. */
  decisions: 'tracing_health_sampling_decisions_total',
  /** Gauge: traces buffered by the tail sampler. */
  tailTraces: 'tracing_health_sampling_tail_traces',
  /** Gauge: spans buffered by the tail sampler. */
  tailSpans: 'tracing_health_sampling_tail_spans',
  /** Gauge: estimated bytes buffered by the tail sampler. */
  tailBytes: 'tracing_health_sampling_tail_bytes',
  /** Counter{reason="max_traces"|"max_bytes"|"flush"}: traces decided before their wait ended. */
  earlyDecisions: 'tracing_health_sampling_early_decisions_total',
  /** Counter{decision}: spans that arrived after their trace was decided and followed the decision. */
  lateSpans: 'tracing_health_sampling_late_spans_total',
  /** Gauge{service}: the head sampling rate currently applied to a service. */
  rate: 'tracing_health_sampling_rate',
  /** Counter: incoming `ot=th` thresholds ignored because the trace's randomness contradicts them. */
  inconsistentThresholds: 'tracing_health_sampling_inconsistent_thresholds_total',
  /** Counter: spans dropped because their trace id is not 16 bytes. */
  invalidTraceIds: 'tracing_health_sampling_invalid_trace_id_spans_total',
} as const;
