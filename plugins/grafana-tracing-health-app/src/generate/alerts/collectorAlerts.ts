import { counterRateEitherSpelling, failureRatio, maxBy } from '../promql';
import { AlertDefinition, AlertRuleOptions, WINDOW } from './alertDefinition';
import { pct } from './descriptionTemplates';

/** The OpenTelemetry Collectors (scrape targets whose job matches `collectorJob`). */
export function collectorAlerts(options: AlertRuleOptions): AlertDefinition[] {
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
