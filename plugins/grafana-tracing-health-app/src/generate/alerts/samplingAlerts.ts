import { BUDGET_METRICS } from '@internal/tracing-model';

import { labelled } from '../promql';
import { AlertDefinition } from './alertDefinition';
import { pct } from './descriptionTemplates';

/** Owner budgets (issue 16): an owner's kept spans/s or bytes/day over its budget. */
export function samplingAlerts(): AlertDefinition[] {
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
