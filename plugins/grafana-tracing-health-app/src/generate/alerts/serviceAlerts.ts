import { COVERAGE_METRICS, SPAN_METRICS } from '@internal/tracing-model';

import { histogramQuantile, maxBy } from '../promql';
import { AlertDefinition, WINDOW } from './alertDefinition';
import { pct, secs } from './descriptionTemplates';

/** Per service: slow requests, silence, incomplete traces. */
export function serviceAlerts(): AlertDefinition[] {
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
