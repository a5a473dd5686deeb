import { PIPELINE_METRICS, SPAN_METRICS } from '@internal/tracing-model';

import { failureRatio, labelled, maxBy, rate, shareOf, sumBy } from '../promql';
import { AlertDefinition, AlertRuleOptions, WINDOW } from './alertDefinition';
import { pct, twoDecimals } from './descriptionTemplates';

/** The embedded pipeline: export failures, memory, queue, refusals, trace volume. */
export function pipelineAlerts(options: AlertRuleOptions): AlertDefinition[] {
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
