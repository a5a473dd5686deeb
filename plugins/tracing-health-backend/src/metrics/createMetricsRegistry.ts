import { collectDefaultMetrics, Registry } from 'prom-client';
import { METRIC_PREFIX } from '@internal/plugin-tracing-health-common';

/**
 * The plugin's own Prometheus registry (never prom-client's global one, which other plugins
 * share). Process metrics carry the plugin prefix too, so every name starts `tracing_health_`.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    prefix: `${METRIC_PREFIX}process_`,
  });
  return registry;
}
