import { collectDefaultMetrics, Registry } from 'prom-client';
import { METRIC_PREFIX } from '@internal/plugin-tracing-health-common';

/**
 * The plugin's own Prometheus registry (never prom-client's global one, which other plugins
 * share). Process metrics carry the plugin prefix once (`tracing_health_process_cpu_seconds_total`,
 * `tracing_health_nodejs_heap_size_used_bytes`), so every name starts `tracing_health_`.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    prefix: METRIC_PREFIX,
  });
  return registry;
}
