/** Every metric the backend exposes starts with this prefix. */
export const METRIC_PREFIX = 'tracing_health_';

/**
 * Names of the pipeline's self-telemetry on `/api/tracing-health/metrics`. Every span received
 * ends up refused, dropped or exported, or is still held: received = refused + dropped + exported
 * + held (spans restored from a persistent queue after a restart count as exported or dropped
 * without being received again).
 */
export const PIPELINE_METRICS = {
  /** Counter: spans in decoded OTLP requests, valid or not. */
  spansReceived: 'tracing_health_pipeline_spans_received_total',
  /** Counter: spans taken in by the pipeline (received minus refused). */
  spansAccepted: 'tracing_health_pipeline_spans_accepted_total',
  /** Counter{reason="invalid"|"memory_limit"}: spans the client was told were not taken. */
  spansRefused: 'tracing_health_pipeline_spans_refused_total',
  /**
   * Counter{reason}: accepted spans that will never be exported. Reasons: no_exporter, queue_full,
   * permanent_error, retries_exhausted, shutdown, internal_error, fallback_full (the fallback
   * file and its `.1` are both full), or the sampler's own reasons.
   */
  spansDropped: 'tracing_health_pipeline_spans_dropped_total',
  /** Counter{exporter}: spans delivered, per exporter ("fallback" for the fallback file). */
  spansExported: 'tracing_health_pipeline_spans_exported_total',
  /**
   * Counter{exporter, reason}: spans an exporter gave up on (reasons as for spansDropped), and
   * `reason="rejected"`: spans the backend took the request for but refused (OTLP partial success).
   */
  exportFailed: 'tracing_health_pipeline_export_failed_total',
  /** Gauge{exporter}: batches waiting or being sent. */
  queueSize: 'tracing_health_pipeline_queue_size',
  /** Gauge{exporter}: the queue's capacity in batches. */
  queueCapacity: 'tracing_health_pipeline_queue_capacity',
  /** Gauge: bytes held by the pipeline as counted by the memory limiter. */
  memoryUsedBytes: 'tracing_health_pipeline_memory_used_bytes',
  /** Gauge{limit="soft"|"hard"}. */
  memoryLimitBytes: 'tracing_health_pipeline_memory_limit_bytes',
  /** Gauge: spans held by the pipeline as counted by the memory limiter. */
  memoryUsedSpans: 'tracing_health_pipeline_memory_used_spans',
  /** Gauge{limit="soft"|"hard"}. */
  memoryLimitSpans: 'tracing_health_pipeline_memory_limit_spans',
  /** Histogram{exporter, outcome="success"|"retryable"|"permanent"|"network"|"timeout"}: per attempt. */
  exportDurationSeconds: 'tracing_health_pipeline_export_duration_seconds',
  /**
   * Counter{action="delete"|"hash"|"mask", location}: location is where in attributes
   * ("resource"|"scope"|"span"|"event"|"link") or which free text ("span_name"|"status_message"|
   * "event_name"|"scope_name"|"scope_version"|"trace_state", value rules only).
   */
  redactions: 'tracing_health_pipeline_redactions_total',
  /** Counter{status}: OTLP/HTTP responses by status code. */
  requests: 'tracing_health_pipeline_requests_total',
  /**
   * Counter{reason="memory_limit"|"shutting_down"|"decode_busy"|"too_large"}: OTLP/HTTP requests
   * refused with 429/503 (or 413 for the body size limits). Most are refused before their spans
   * are decoded, so spans_refused_total does not see them.
   */
  requestsRefused: 'tracing_health_pipeline_requests_refused_total',
  /** Counter{reason}: bytes as sent (Content-Length, or what was read) of refused requests. */
  requestsRefusedBytes: 'tracing_health_pipeline_requests_refused_bytes_total',
  /**
   * Counter{reason="out_of_memory"|"crash"|"unresponsive"}: pipeline worker threads replaced
   * (worker mode, `tracingHealth.pipeline.workers` > 0).
   */
  workerRestarts: 'tracing_health_pipeline_worker_restarts_total',
  /**
   * Counter{reason="worker_exit"}: spans a worker had accepted and not yet exported or persisted
   * when it died (the last figure it reported); requests in flight got 503 and are retried.
   */
  workerLostSpans: 'tracing_health_pipeline_worker_lost_spans_total',
  /** Counter{reason="worker_exit"|"unavailable"}: requests answered 503 by the main thread. */
  workerRefusedRequests:
    'tracing_health_pipeline_worker_refused_requests_total',
  /**
   * Counter{thread="main"|"worker"}: CPU seconds (user + system) of the portal's main thread and
   * of the pipeline worker threads together; the rest of the process's CPU (garbage collection
   * helpers, file and DNS threads) is process_cpu_seconds_total minus these. A worker's count
   * restarts with the worker.
   */
  threadCpuSeconds: 'tracing_health_pipeline_thread_cpu_seconds_total',
} as const;

/**
 * Span-derived RED and completeness metrics per `service.name`, computed before sampling so
 * they describe real traffic (like the Collector's spanmetrics connector).
 */
export const SPAN_METRICS = {
  /** Counter{service, span_kind, status_code}. */
  spans: 'tracing_health_service_spans_total',
  /** Counter{service}: root spans, i.e. traces started by the service. */
  traces: 'tracing_health_service_traces_total',
  /** Histogram{service, span_kind} of span durations in seconds. */
  duration: 'tracing_health_service_span_duration_seconds',
  /** Counter{service}: spans whose parent never arrived within the completeness window. */
  orphanSpans: 'tracing_health_service_orphan_spans_total',
  /** Counter{service, complete="true"|"false"}: traces judged at the end of the window. */
  tracesJudged: 'tracing_health_service_traces_judged_total',
  /** Gauge{service}: unix seconds of the last span seen. */
  lastSeen: 'tracing_health_service_last_seen_timestamp_seconds',
} as const;

/**
 * The service graph: calls between services paired from client and server (producer and
 * consumer) spans before sampling, like the Collector's `servicegraph` connector and Tempo's
 * metrics generator (same metric shapes under the plugin prefix). `connection_type` is `""` for
 * a paired call, `"messaging_system"` for a producer/consumer pair and `"virtual_node"` when the
 * server never sent spans (an uninstrumented dependency named from `peer.service`,
 * `server.address` or `db.system`).
 */
export const SERVICE_GRAPH_METRICS = {
  /** Counter{client, server, connection_type}: calls seen on the edge. */
  requests: 'tracing_health_service_graph_request_total',
  /** Counter{client, server, connection_type}: calls where the client or the server span failed. */
  failedRequests: 'tracing_health_service_graph_request_failed_total',
  /** Histogram{client, server, connection_type}: server span durations (client's for a virtual node). */
  serverSeconds: 'tracing_health_service_graph_request_server_seconds',
  /**
   * Counter{client, server}: client spans to a traced server whose server span never joined the
   * trace: the client did not inject the context or the server did not extract it.
   */
  brokenPropagation: 'tracing_health_service_graph_broken_propagation_total',
  /** Counter{server}: server/consumer spans whose remote parent never arrived (the caller sends no spans). */
  orphanServerSpans: 'tracing_health_service_graph_orphan_server_spans_total',
  /** Counter{client}: client spans that were never paired and name no peer (no edge to draw). */
  unpairedClientSpans:
    'tracing_health_service_graph_unpaired_client_spans_total',
  /** Counter{reason="store_full"|"max_edges"}: halves or calls not counted because a bound was reached. */
  dropped: 'tracing_health_service_graph_dropped_total',
  /** Gauge: unpaired span halves waiting for their partner. */
  pending: 'tracing_health_service_graph_pending_halves',
} as const;

/** `connection_type` label values of the service graph metrics. */
export const SERVICE_GRAPH_CONNECTION_TYPES = [
  '',
  'messaging_system',
  'virtual_node',
] as const;
export type ServiceGraphConnectionType =
  (typeof SERVICE_GRAPH_CONNECTION_TYPES)[number];

/** Coverage gauges joining the catalog with what the pipeline sees. */
export const COVERAGE_METRICS = {
  /** Gauge{state}: number of catalog components (or unregistered service names) per state. */
  services: 'tracing_health_coverage_services',
  /** Gauge{entity_ref, service, owner, system, state}: 1 for the component's current state. */
  serviceState: 'tracing_health_coverage_service_state',
  /** Gauge{service}: share (0..1) of judged traces that were complete. */
  completeness: 'tracing_health_coverage_completeness_ratio',
} as const;

/** Health-check results. */
export const CHECK_METRICS = {
  /** Gauge{check_id, check_type, status}: 1 for the current status, 0 for the others. */
  status: 'tracing_health_check_status',
  /** Gauge{check_id, check_type}: unix seconds of the last completed run. */
  lastRun: 'tracing_health_check_last_run_timestamp_seconds',
  /** Gauge{check_id, check_type}: duration of the last run in seconds. */
  duration: 'tracing_health_check_duration_seconds',
  /** Gauge{check_id, check_type}: the measured value of the last run, where numeric. */
  value: 'tracing_health_check_value',
} as const;

/** The check statuses, in increasing severity. */
export const CHECK_STATUSES = ['ok', 'warning', 'critical', 'unknown'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** The coverage states of a catalog component or a seen service name. */
export const COVERAGE_STATES = [
  'traced',
  'silent',
  'untraced',
  'unregistered',
] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];

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
  inconsistentThresholds:
    'tracing_health_sampling_inconsistent_thresholds_total',
  /** Counter: spans dropped because their trace id is not 16 bytes. */
  invalidTraceIds: 'tracing_health_sampling_invalid_trace_id_spans_total',
  /**
   * Counter{service, rule}: kept traces by the service whose root span (or first span) they have
   * and the kind of rule that kept them (`SAMPLING_RULE_KINDS`).
   */
  keptTraces: 'tracing_health_sampling_kept_traces_total',
} as const;

/**
 * Names of the metrics of several portal replicas sharing one database (`tracingHealth.cluster`).
 * `peer` is a member's advertised URL; there are as many as live replicas.
 */
export const CLUSTER_METRICS = {
  /** Gauge: live members (replicas seen within the TTL), this one included. */
  members: 'tracing_health_cluster_members',
  /** Counter{peer}: spans forwarded to the member that owns their trace. */
  forwardedSpans: 'tracing_health_cluster_forwarded_spans_total',
  /** Counter{peer}: spans received from another member that routed them here. */
  receivedSpans: 'tracing_health_cluster_received_spans_total',
  /**
   * Counter{reason}: forwards that failed (`unreachable`, `timeout`, `refused` (429/503),
   * `rejected` (other 4xx), `server_error` (5xx), `unknown_peer`, `auth`, `internal_error`,
   * `queue_full`); `refused` and `unreachable` only once retries ran out of time. Their spans
   * were decided here instead.
   */
  forwardFailures: 'tracing_health_cluster_forward_failures_total',
  /** Counter{reason}: spans of failed forwards, decided here instead. */
  forwardFailedSpans: 'tracing_health_cluster_forward_failed_spans_total',
  /**
   * Counter{peer}: forward requests sent to a member, retries included (each carries the shares
   * of many received requests: forwarded spans / forward requests is the coalescing).
   */
  forwardRequests: 'tracing_health_cluster_forward_requests_total',
  /** Counter{reason}: forward requests sent again after a retryable failure (`refused`, `unreachable`). */
  forwardRetries: 'tracing_health_cluster_forward_retries_total',
  /** Gauge{peer}: bytes queued for a member (waiting, being sent or retried). */
  forwardQueueBytes: 'tracing_health_cluster_forward_queue_bytes',
  /** Counter{change="joined"|"left"}: members that joined or left this replica's view. */
  ownershipChanges: 'tracing_health_cluster_ownership_changes_total',
  /** Counter{reason} (`CLUSTER_LOST_SPANS_REASONS`): spans lost by a replica. */
  lostSpans: 'tracing_health_cluster_lost_spans_total',
} as const;

/**
 * Why spans were lost (`CLUSTER_METRICS.lostSpans`): a replica held them in memory when it ended
 * without stopping (SIGKILL, crash), as of its last heartbeat, counted by one survivor
 * (`replica_died`: its row expired; `replica_restarted`: its next run replaced the row first); or
 * a forward to their owner failed and the forwarding replica's pipeline refused them too
 * (`forward_failed_refused`: memory limit, shutting down).
 */
export const CLUSTER_LOST_SPANS_REASONS = [
  'replica_died',
  'replica_restarted',
  'forward_failed_refused',
] as const;
export type ClusterLostSpansReason =
  (typeof CLUSTER_LOST_SPANS_REASONS)[number];
