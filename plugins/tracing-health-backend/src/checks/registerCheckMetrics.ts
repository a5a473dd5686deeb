import {
  CHECK_METRICS,
  CHECK_STATUSES,
} from '@internal/plugin-tracing-health-common';
import { Gauge, Registry } from 'prom-client';
import { CheckDefinition } from './config/readChecksConfig';
import { CheckResultStore } from './store/CheckResultStore';

/**
 * Check gauges on the plugin's registry, read from the database at scrape time so that every
 * replica reports the same latest results whichever replica ran the check.
 */
export function registerCheckMetrics(
  registry: Registry,
  deps: { store: CheckResultStore; checks: CheckDefinition[] },
): Gauge[] {
  const configured = new Map(deps.checks.map(c => [c.id, c]));
  const latest = async () => {
    const all = await deps.store.latestAll();
    return [...all.values()]
      .map(l => l.result)
      .filter(r => configured.get(r.checkId)?.type === r.checkType);
  };
  const labels = ['check_id', 'check_type'] as const;
  type LatestResult = Awaited<ReturnType<typeof latest>>[number];
  /** A gauge of one number per check's latest result; checks without a finite one are left out. */
  const perCheck = (
    name: string,
    help: string,
    valueOf: (r: LatestResult) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await latest()) {
          const value = valueOf(r);
          if (value !== undefined && Number.isFinite(value))
            this.set({ check_id: r.checkId, check_type: r.checkType }, value);
        }
      },
    });

  return [
    new Gauge({
      name: CHECK_METRICS.status,
      help: 'Current status of each health check: 1 for its status, 0 for the others.',
      labelNames: [...labels, 'status'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await latest()) {
          for (const status of CHECK_STATUSES) {
            this.set(
              { check_id: r.checkId, check_type: r.checkType, status },
              r.status === status ? 1 : 0,
            );
          }
        }
      },
    }),
    perCheck(
      CHECK_METRICS.lastRun,
      'Unix time (seconds) the last run of each health check started.',
      r => Date.parse(r.startedAt) / 1000,
    ),
    perCheck(
      CHECK_METRICS.duration,
      'Duration (seconds) of the last run of each health check.',
      r => r.durationMs / 1000,
    ),
    perCheck(
      CHECK_METRICS.value,
      'The value that decided the last run of each health check, where numeric.',
      r => r.value,
    ),
  ];
}
