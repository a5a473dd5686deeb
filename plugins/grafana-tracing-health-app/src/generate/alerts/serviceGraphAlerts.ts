import { SERVICE_GRAPH_METRICS } from '@internal/tracing-model';

import { AlertDefinition, WINDOW } from './alertDefinition';
import { rate, sumBy } from '../promql';

/**
 * Broken propagation on an edge: the share of client spans to a traced server whose server span
 * never joined the trace, among those calls (paired or broken). An edge whose calls all break
 * has no paired calls; it reads 1, not nothing.
 */
export function brokenPropagationShare(window: string): string {
  const by = ['client', 'server'];
  const broken = sumBy(
    by,
    rate(SERVICE_GRAPH_METRICS.brokenPropagation, window),
  );
  const paired = sumBy(
    by,
    rate(
      `${SERVICE_GRAPH_METRICS.requests}{connection_type!="virtual_node"}`,
      window,
    ),
  );
  return `${broken} / (${broken} + (${paired} or ${broken} * 0))`;
}

/** The service graph's alerts (issue 17). */
export function serviceGraphAlerts(): AlertDefinition[] {
  return [
    {
      alert: 'TracingHealthBrokenPropagation',
      severity: 'warning',
      runbook: 'broken-propagation',
      source: 'project',
      signal: brokenPropagationShare(WINDOW),
      op: '>',
      threshold: 0.05,
      for: '10m',
      summary: 'Calls between two services do not join one trace.',
      description: v =>
        `{{ ${v} | humanizePercentage }} of the calls from {{ $labels.client }} to {{ $labels.server }} lost the trace context over the last ${WINDOW}: {{ $labels.server }} sends spans, but not in {{ $labels.client }}'s traces (the client does not inject the context or the server does not extract it).`,
    },
  ];
}
