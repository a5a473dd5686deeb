import {
  BUDGET_METRICS,
  CHECK_METRICS,
  COVERAGE_METRICS,
  PIPELINE_METRICS,
  RunbookId,
  SPAN_METRICS,
  runbookPath,
} from '@internal/tracing-model';

import {
  counterRateEitherSpelling,
  failureRatio,
  histogramQuantile,
  maxBy,
  rate,
  shareOf,
  sumBy,
} from './promql';
import { serviceGraphAlerts } from './serviceGraphAlerts';

/** Where an alert's metrics come from: the portal itself, or a system it watches. */
export type MetricSource =
  | 'project'
  | 'collector'
  | 'jaeger'
  | 'elasticsearch'
  | 'kafka';

export type Severity = 'critical' | 'warning';

/**
 * One alert, written as a signal compared with a threshold so that the same definition yields
 * the Prometheus rule (`signal > threshold`) and Grafana's provisioning format (query +
 * threshold expression), and so tests can check that the signal itself returns data.
 */
export interface AlertDefinition {
  alert: string;
  severity: Severity;
  runbook: RunbookId;
  source: MetricSource;
  /** PromQL of the measured value; returns data whenever the watched system reports. */
  signal: string;
  op: '>' | '<';
  threshold: number;
  for: string;
  summary: string;
  /** `value` is the template expression of the measured value (`$value` in Prometheus). */
  description: (value: string) => string;
  /**
   * The alert has a `service` label: its runbook link opens the runbook for that service, whose
   * links lead to the service's Tracing tab (its sampling card, where owners boost).
   */
  perService?: boolean;
}

export interface AlertGroupDefinition {
  name: string;
  interval: string;
  alerts: AlertDefinition[];
}

export interface AlertRuleOptions {
  /** Base URL of the portal's frontend; runbook links are `<portalUrl>/tracing-health/runbooks/<id>`. */
  portalUrl: string;
  /** Regex matching the `job` label of the OpenTelemetry Collector scrape targets. */
  collectorJob: string;
  /** Fleet-wide traces per second below which the low-volume alert fires. */
  minTracesPerSecond: number;
}

export const DEFAULT_ALERT_RULE_OPTIONS: AlertRuleOptions = {
  portalUrl: 'http://127.0.0.1:3000',
  collectorJob: '.*otel.*collector.*|otelcol.*',
  minTracesPerSecond: 0.1,
};

/** The rule group evaluation interval. */
const INTERVAL = '1m';
/** The rate window of every alert. */
const WINDOW = '5m';

const pct = (value: string) => `{{ ${value} | humanizePercentage }}`;
const num = (value: string) => `{{ ${value} | humanize }}`;
const secs = (value: string) => `{{ ${value} | humanizeDuration }}`;
const twoDecimals = (value: string) => `{{ printf "%.2f" ${value} }}`;

/** `expr` with a `share` label, so two shares of the same series can meet in `or`. */
const labelled = (expr: string, share: string) =>
  `label_replace(${expr}, "share", "${share}", "", "")`;

function pipelineAlerts(options: AlertRuleOptions): AlertDefinition[] {
  const by = ['job'];
  return [
    {
      alert: 'TracingHealthExportFailing',
      severity: 'critical',
      runbook: 'export-failures',
      source: 'project',
      signal: failureRatio(
        rate(PIPELINE_METRICS.exportFailed, WINDOW),
        rate(PIPELINE_METRICS.spansExported, WINDOW),
        by,
      ),
      op: '>',
      threshold: 0.05,
      for: '2m',
      summary: 'The embedded tracing pipeline fails to export spans.',
      description: v =>
        `${pct(
          v,
        )} of the span exports of {{ $labels.job }} failed over the last ${WINDOW}.`,
    },
    {
      alert: 'TracingHealthMemoryPressure',
      severity: 'warning',
      runbook: 'memory-pressure',
      source: 'project',
      signal: maxBy(
        ['job', 'instance'],
        // The limit gauge carries limit="soft"|"hard"; the ratio is against the hard cap.
        `${PIPELINE_METRICS.memoryUsedBytes} / ignoring(limit) ${PIPELINE_METRICS.memoryLimitBytes}{limit="hard"}`,
      ),
      op: '>',
      threshold: 0.85,
      for: '1m',
      summary: 'The embedded tracing pipeline is close to its memory limit.',
      description: v =>
        `The pipeline on {{ $labels.instance }} uses ${pct(
          v,
        )} of its memory limit; above the limit it refuses spans (429/503).`,
    },
    {
      alert: 'TracingHealthQueueHigh',
      severity: 'warning',
      runbook: 'high-queue',
      source: 'project',
      signal: maxBy(
        ['job', 'instance'],
        `${PIPELINE_METRICS.queueSize} / ${PIPELINE_METRICS.queueCapacity}`,
      ),
      op: '>',
      threshold: 0.8,
      for: '5m',
      summary: 'The embedded pipeline export queue is filling up.',
      description: v =>
        `The export queue on {{ $labels.instance }} is ${pct(
          v,
        )} full; when it is full, spans are dropped.`,
    },
    {
      alert: 'TracingHealthRefusingSpans',
      severity: 'warning',
      runbook: 'trace-data-loss',
      source: 'project',
      // The larger of two shares: spans refused after decoding, and requests refused whole.
      // Under overload most refusals come before any span is decoded (429 at the memory
      // precheck), so spans_refused alone stays flat while clients are turned away.
      signal: maxBy(
        by,
        `${labelled(
          shareOf(
            rate(PIPELINE_METRICS.spansRefused, WINDOW),
            rate(PIPELINE_METRICS.spansReceived, WINDOW),
            by,
          ),
          'spans',
        )} or ${labelled(
          shareOf(
            rate(PIPELINE_METRICS.requestsRefused, WINDOW),
            rate(PIPELINE_METRICS.requests, WINDOW),
            by,
          ),
          'requests',
        )}`,
      ),
      op: '>',
      threshold: 0.01,
      for: '5m',
      summary: 'The embedded pipeline refuses spans.',
      description: v =>
        `{{ $labels.job }} refused ${pct(
          v,
        )} of the spans or export requests it received over the last ${WINDOW}.`,
    },
    {
      alert: 'TracingHealthLowTraceVolume',
      severity: 'warning',
      runbook: 'no-traces',
      source: 'project',
      signal: sumBy(by, rate(SPAN_METRICS.traces, '10m')),
      op: '<',
      threshold: options.minTracesPerSecond,
      for: '10m',
      summary: 'Almost no traces reach the portal.',
      description: v =>
        `{{ $labels.job }} received ${twoDecimals(
          v,
        )} traces/s over the last 10m (floor: ${
          options.minTracesPerSecond
        }/s).`,
    },
  ];
}

function serviceAlerts(): AlertDefinition[] {
  return [
    {
      alert: 'TracingHealthServiceSlowRequests',
      severity: 'warning',
      runbook: 'high-latency',
      perService: true,
      source: 'project',
      signal: histogramQuantile(
        0.95,
        SPAN_METRICS.duration,
        WINDOW,
        ['service'],
        'span_kind=~"(?i)(SPAN_KIND_)?SERVER"',
      ),
      op: '>',
      threshold: 5,
      for: '5m',
      summary: 'A service answers slowly.',
      description: v =>
        `p95 of the server spans of {{ $labels.service }} is ${secs(
          v,
        )} over the last ${WINDOW}.`,
    },
    {
      alert: 'TracingHealthServiceSilent',
      severity: 'warning',
      runbook: 'service-silent',
      perService: true,
      source: 'project',
      signal: maxBy(
        ['entity_ref', 'service', 'owner'],
        `${COVERAGE_METRICS.serviceState}{state="silent"}`,
      ),
      op: '>',
      threshold: 0,
      for: '15m',
      summary: 'An opted-in service sends no traces.',
      description: () =>
        '{{ $labels.entity_ref }} (service.name {{ $labels.service }}, owner {{ $labels.owner }}) is opted into tracing but has sent no spans for 15 minutes.',
    },
    {
      alert: 'TracingHealthTraceCompletenessLow',
      severity: 'warning',
      runbook: 'low-completeness',
      perService: true,
      source: 'project',
      signal: `min by (service) (${COVERAGE_METRICS.completeness})`,
      op: '<',
      threshold: 0.95,
      for: '15m',
      summary: 'Traces of a service are often incomplete.',
      description: v =>
        `Only ${pct(
          v,
        )} of the traces of {{ $labels.service }} were complete (target 95%); spans lose their parents, usually through broken context propagation.`,
    },
  ];
}

/** Owner budgets (issue 16): an owner's kept spans/s or bytes/day over its budget. */
function samplingAlerts(): AlertDefinition[] {
  const share = (used: string, budget: string, name: string) =>
    labelled(`max by (owner) (${used} / ${budget})`, name);
  return [
    {
      alert: 'TracingHealthOwnerOverBudget',
      severity: 'warning',
      runbook: 'owner-over-budget',
      source: 'project',
      signal: `max by (owner) (${share(
        BUDGET_METRICS.usedSpansPerSecond,
        BUDGET_METRICS.budgetSpansPerSecond,
        'spans',
      )} or ${share(
        BUDGET_METRICS.usedBytesPerDay,
        BUDGET_METRICS.budgetBytesPerDay,
        'bytes',
      )})`,
      op: '>',
      threshold: 1,
      for: '30m',
      summary: 'An owner keeps more traces than its budget.',
      description: v =>
        `The services of {{ $labels.owner }} keep ${pct(
          v,
        )} of their budget (spans per second or bytes per day, last hour).`,
    },
  ];
}

function checkAlerts(): AlertDefinition[] {
  return [
    {
      alert: 'TracingHealthCheckCritical',
      severity: 'critical',
      runbook: 'check-failing',
      source: 'project',
      signal: maxBy(
        ['check_id', 'check_type'],
        `${CHECK_METRICS.status}{status="critical"}`,
      ),
      op: '>',
      threshold: 0,
      for: '1m',
      summary: 'A tracing-health check is critical.',
      description: () =>
        'The {{ $labels.check_type }} check {{ $labels.check_id }} reports critical; its result in the portal links the runbook for that check.',
    },
  ];
}

function collectorAlerts(options: AlertRuleOptions): AlertDefinition[] {
  const job = `job=~"${options.collectorJob}"`;
  return [
    {
      alert: 'OtelCollectorDown',
      severity: 'critical',
      runbook: 'collector-down',
      source: 'collector',
      signal: `min by (job, instance) (up{${job}})`,
      op: '<',
      threshold: 1,
      for: '1m',
      summary: 'An OpenTelemetry Collector cannot be scraped.',
      description: () =>
        'Prometheus cannot scrape the collector {{ $labels.instance }} ({{ $labels.job }}): it is down or unreachable.',
    },
    {
      alert: 'OtelCollectorExportFailures',
      severity: 'critical',
      runbook: 'export-failures',
      source: 'collector',
      signal: failureRatio(
        counterRateEitherSpelling('otelcol_exporter_send_failed_spans', WINDOW),
        counterRateEitherSpelling('otelcol_exporter_sent_spans', WINDOW),
        ['job', 'exporter'],
      ),
      op: '>',
      threshold: 0.05,
      for: '2m',
      summary: 'A collector exporter fails to send spans.',
      description: v =>
        `Exporter {{ $labels.exporter }} of {{ $labels.job }} failed to send ${pct(
          v,
        )} of its spans over the last ${WINDOW}.`,
    },
    {
      alert: 'OtelCollectorQueueHigh',
      severity: 'warning',
      runbook: 'high-queue',
      source: 'collector',
      signal: `${maxBy(
        ['job', 'instance', 'exporter'],
        'otelcol_exporter_queue_size',
      )} / ${maxBy(
        ['job', 'instance', 'exporter'],
        'otelcol_exporter_queue_capacity',
      )}`,
      op: '>',
      threshold: 0.8,
      for: '5m',
      summary: 'A collector exporter queue is filling up.',
      description: v =>
        `The sending queue of exporter {{ $labels.exporter }} on {{ $labels.instance }} is ${pct(
          v,
        )} full.`,
    },
    {
      alert: 'OtelCollectorRefusedSpans',
      severity: 'warning',
      runbook: 'trace-data-loss',
      source: 'collector',
      signal: failureRatio(
        counterRateEitherSpelling('otelcol_receiver_refused_spans', WINDOW),
        counterRateEitherSpelling('otelcol_receiver_accepted_spans', WINDOW),
        ['job', 'receiver'],
      ),
      op: '>',
      threshold: 0.01,
      for: '5m',
      summary: 'A collector receiver refuses spans.',
      description: v =>
        `Receiver {{ $labels.receiver }} of {{ $labels.job }} refused ${pct(
          v,
        )} of incoming spans over the last ${WINDOW}.`,
    },
    {
      alert: 'OtelCollectorHighCpu',
      severity: 'warning',
      // CPU saturation shows first as a growing queue; that runbook covers scaling out.
      runbook: 'high-queue',
      source: 'collector',
      signal: maxBy(
        ['job', 'instance'],
        counterRateEitherSpelling('otelcol_process_cpu_seconds', WINDOW),
      ),
      op: '>',
      threshold: 0.8,
      for: '5m',
      summary: 'A collector is CPU-bound.',
      description: v =>
        `The collector {{ $labels.instance }} uses ${pct(v)} of a CPU core.`,
    },
  ];
}

function storageAlerts(): AlertDefinition[] {
  return [
    {
      alert: 'JaegerQueryLatencyHigh',
      severity: 'warning',
      runbook: 'high-query-latency',
      source: 'jaeger',
      // Jaeger v1 exports jaeger_query_latency (seconds); v2 adds the unit suffix.
      signal: `histogram_quantile(0.99, ${sumBy(
        ['job', 'le'],
        `${rate('jaeger_query_latency_bucket', WINDOW)} or ${rate(
          'jaeger_query_latency_seconds_bucket',
          WINDOW,
        )}`,
      )})`,
      op: '>',
      threshold: 0.5,
      for: '5m',
      summary: 'Jaeger queries are slow.',
      description: v =>
        `p99 of Jaeger query latency ({{ $labels.job }}) is ${secs(
          v,
        )} over the last ${WINDOW}.`,
    },
    {
      alert: 'ElasticsearchClusterRed',
      severity: 'critical',
      runbook: 'elasticsearch-cluster-red',
      source: 'elasticsearch',
      signal: maxBy(
        ['cluster'],
        'elasticsearch_cluster_health_status{color="red"}',
      ),
      op: '>',
      threshold: 0,
      for: '1m',
      summary: 'The trace storage cluster is red.',
      description: () =>
        'Elasticsearch cluster {{ $labels.cluster }} is red: some primary shards are unassigned, so spans are lost or unsearchable.',
    },
    {
      alert: 'ElasticsearchDiskUsageHigh',
      severity: 'warning',
      runbook: 'elasticsearch-disk-full',
      source: 'elasticsearch',
      signal: maxBy(
        ['cluster', 'name'],
        '1 - elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes',
      ),
      op: '>',
      threshold: 0.85,
      for: '5m',
      summary: 'A trace storage node is running out of disk.',
      description: v =>
        `Node {{ $labels.name }} of cluster {{ $labels.cluster }} uses ${pct(
          v,
        )} of its data disk; Elasticsearch stops allocating shards at its watermarks.`,
    },
    {
      alert: 'KafkaConsumerLagHigh',
      severity: 'warning',
      runbook: 'kafka-lag',
      source: 'kafka',
      signal: sumBy(['consumergroup', 'topic'], 'kafka_consumergroup_lag'),
      op: '>',
      threshold: 100000,
      for: '5m',
      summary: 'Trace ingestion from Kafka lags behind.',
      description: v =>
        `Consumer group {{ $labels.consumergroup }} is ${num(
          v,
        )} messages behind on topic {{ $labels.topic }}.`,
    },
  ];
}

/** Every alert, grouped as in the rule file. */
export function alertGroups(
  options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
): AlertGroupDefinition[] {
  return [
    {
      name: 'tracing-health-pipeline',
      interval: INTERVAL,
      alerts: pipelineAlerts(options),
    },
    {
      name: 'tracing-health-services',
      interval: INTERVAL,
      alerts: serviceAlerts(),
    },
    {
      name: 'tracing-health-service-graph',
      interval: INTERVAL,
      alerts: serviceGraphAlerts(),
    },
    {
      name: 'tracing-health-checks',
      interval: INTERVAL,
      alerts: checkAlerts(),
    },
    {
      name: 'tracing-health-sampling',
      interval: INTERVAL,
      alerts: samplingAlerts(),
    },
    {
      name: 'tracing-health-collector',
      interval: INTERVAL,
      alerts: collectorAlerts(options),
    },
    {
      name: 'tracing-health-storage',
      interval: INTERVAL,
      alerts: storageAlerts(),
    },
  ];
}

/** `a or b` at the top level binds looser than a comparison, so such signals need parentheses. */
function hasTopLevelSetOperator(expr: string): boolean {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const char = expr[i];
    if (char === '(' || char === '{' || char === '[') depth++;
    else if (char === ')' || char === '}' || char === ']') depth--;
    else if (depth === 0 && /^ (or|and|unless) /.test(expr.slice(i, i + 8))) {
      return true;
    }
  }
  return false;
}

/** The PromQL of an alert: its signal compared with its threshold. */
export function alertExpression(alert: AlertDefinition): string {
  const signal = hasTopLevelSetOperator(alert.signal)
    ? `(${alert.signal})`
    : alert.signal;
  return `${signal} ${alert.op} ${alert.threshold}`;
}

/** The portal page of an alert's runbook (for the alert's service, when it has one). */
export function runbookUrl(
  portalUrl: string,
  runbook: RunbookId,
  perService = false,
): string {
  const base = `${portalUrl.replace(/\/+$/, '')}${runbookPath(runbook)}`;
  return perService ? `${base}?service={{ $labels.service }}` : base;
}

/** A stable id for an alert (Grafana rule uid): the alert name in kebab case. */
export function alertUid(alertName: string): string {
  return alertName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** A rule of a Prometheus rule file. */
export interface PrometheusAlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  interval: string;
  rules: PrometheusAlertingRule[];
}

/** The rule groups of the Prometheus rule file. */
export function prometheusRuleGroups(
  options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
): PrometheusRuleGroup[] {
  return alertGroups(options).map(group => ({
    name: group.name,
    interval: group.interval,
    rules: group.alerts.map(alert => ({
      alert: alert.alert,
      expr: alertExpression(alert),
      for: alert.for,
      labels: { severity: alert.severity },
      annotations: {
        summary: alert.summary,
        description: alert.description('$value'),
        runbook_url: runbookUrl(
          options.portalUrl,
          alert.runbook,
          alert.perService,
        ),
      },
    })),
  }));
}
