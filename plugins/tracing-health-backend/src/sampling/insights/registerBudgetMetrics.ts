import { BUDGET_METRICS } from '@internal/plugin-tracing-health-common';
import { Gauge, Registry } from 'prom-client';
import { SamplingInsightsService } from './SamplingInsightsService';

/** Owner use and budget gauges (`BUDGET_METRICS`), computed on scrape. */
export function registerBudgetMetrics(
  registry: Registry,
  insights: SamplingInsightsService,
): void {
  const gauge = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Gauge<'owner'> | undefined) ??
    new Gauge<'owner'>({
      name,
      help,
      labelNames: ['owner'],
      registers: [registry],
    });
  const used = gauge(
    BUDGET_METRICS.usedSpansPerSecond,
    'Kept spans per second of traces rooted at the owner services (last hour).',
  );
  const budget = gauge(
    BUDGET_METRICS.budgetSpansPerSecond,
    'The owner budget in kept spans per second.',
  );
  const usedBytes = gauge(
    BUDGET_METRICS.usedBytesPerDay,
    'Kept bytes per day of traces rooted at the owner services (last hour).',
  );
  const budgetBytes = gauge(
    BUDGET_METRICS.budgetBytesPerDay,
    'The owner budget in kept bytes per day.',
  );
  // One collect fills all four (prom-client calls each gauge's collect on scrape).
  let last: Promise<void> | undefined;
  let lastAt = 0;
  const refresh = () => {
    if (last && Date.now() - lastAt < 1000) return last;
    lastAt = Date.now();
    last = insights.budgetUsage().then(items => {
      for (const g of [used, budget, usedBytes, budgetBytes]) g.reset();
      for (const u of items) {
        if (!u.budget && u.usedSpansPerSecond === 0) continue;
        used.set({ owner: u.owner }, u.usedSpansPerSecond);
        usedBytes.set({ owner: u.owner }, u.usedBytesPerDay);
        if (u.budget?.spansPerSecond !== undefined)
          budget.set({ owner: u.owner }, u.budget.spansPerSecond);
        if (u.budget?.bytesPerDay !== undefined)
          budgetBytes.set({ owner: u.owner }, u.budget.bytesPerDay);
      }
    });
    return last.catch(() => undefined);
  };
  for (const g of [used, budget, usedBytes, budgetBytes])
    (g as any).collect = refresh;
}
