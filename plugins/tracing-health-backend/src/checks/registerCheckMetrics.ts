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
    new Gauge({
      name: CHECK_METRICS.lastRun,
      help: 'Unix time (seconds) the last run of each health check started.',
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await latest()) {
          this.set(
            { check_id: r.checkId, check_type: r.checkType },
            Date.parse(r.startedAt) / 1000,
          );
        }
      },
    }),
    new Gauge({
      name: CHECK_METRICS.duration,
      help: 'Duration (seconds) of the last run of each health check.',
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await latest()) {
          this.set(
            { check_id: r.checkId, check_type: r.checkType },
            r.durationMs / 1000,
          );
        }
      },
    }),
    new Gauge({
      name: CHECK_METRICS.value,
      help: 'The value that decided the last run of each health check, where numeric.',
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await latest()) {
          if (r.value !== undefined && Number.isFinite(r.value)) {
            this.set({ check_id: r.checkId, check_type: r.checkType }, r.value);
          }
        }
      },
    }),
  ];
}
