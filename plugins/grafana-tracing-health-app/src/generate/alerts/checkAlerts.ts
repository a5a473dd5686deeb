import { CHECK_METRICS } from '@internal/tracing-model';

import { maxBy } from '../promql';
import { AlertDefinition } from './alertDefinition';

/** The portal's tracing-health checks. */
export function checkAlerts(): AlertDefinition[] {
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
