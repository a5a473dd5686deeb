import { CLUSTER_METRICS } from '@internal/tracing-model';

import { sumBy } from '../promql';
import { AlertDefinition } from './alertDefinition';
import { num } from './descriptionTemplates';

/** The window over which spans lost with a replica are summed. */
const LOST_WINDOW = '15m';

/** Several portal replicas (issue 15): spans lost with a replica that ended without stopping. */
export function clusterAlerts(): AlertDefinition[] {
  return [
    {
      alert: 'TracingHealthReplicaLostSpans',
      severity: 'warning',
      runbook: 'trace-data-loss',
      source: 'project',
      // One survivor counts each dead replica's held spans once, so the fleet sum is the loss.
      signal: sumBy(
        ['job'],
        `increase(${CLUSTER_METRICS.lostSpans}[${LOST_WINDOW}])`,
      ),
      op: '>',
      threshold: 0,
      for: '0m',
      summary:
        'A portal replica ended without stopping and its spans were lost.',
      description: v =>
        `${num(
          v,
        )} spans held by a portal replica of {{ $labels.job }} that was killed or crashed were lost in the last ${LOST_WINDOW}.`,
    },
  ];
}
