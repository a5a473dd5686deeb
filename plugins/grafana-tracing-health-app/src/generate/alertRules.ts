import {
  AlertGroupDefinition,
  AlertRuleOptions,
  DEFAULT_ALERT_RULE_OPTIONS,
  INTERVAL,
} from './alerts/alertDefinition';
import { checkAlerts } from './alerts/checkAlerts';
import { clusterAlerts } from './alerts/clusterAlerts';
import { collectorAlerts } from './alerts/collectorAlerts';
import { pipelineAlerts } from './alerts/pipelineAlerts';
import { samplingAlerts } from './alerts/samplingAlerts';
import { serviceAlerts } from './alerts/serviceAlerts';
import { serviceGraphAlerts } from './alerts/serviceGraphAlerts';
import { storageAlerts } from './alerts/storageAlerts';

export type {
  AlertDefinition,
  AlertGroupDefinition,
  AlertRuleOptions,
  MetricSource,
  Severity,
} from './alerts/alertDefinition';
export { DEFAULT_ALERT_RULE_OPTIONS } from './alerts/alertDefinition';

/** Every alert, grouped as in the rule file. */
export function alertGroups(
  options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
): AlertGroupDefinition[] {
  return [
    {
      name: 'tracing-health-pipeline',
      interval: INTERVAL,
      alerts: pipelineAlerts(options),
    },
    {
      name: 'tracing-health-services',
      interval: INTERVAL,
      alerts: serviceAlerts(),
    },
    {
      name: 'tracing-health-service-graph',
      interval: INTERVAL,
      alerts: serviceGraphAlerts(),
    },
    {
      name: 'tracing-health-checks',
      interval: INTERVAL,
      alerts: checkAlerts(),
    },
    {
      name: 'tracing-health-cluster',
      interval: INTERVAL,
      alerts: clusterAlerts(),
    },
    {
      name: 'tracing-health-sampling',
      interval: INTERVAL,
      alerts: samplingAlerts(),
    },
    {
      name: 'tracing-health-collector',
      interval: INTERVAL,
      alerts: collectorAlerts(options),
    },
    {
      name: 'tracing-health-storage',
      interval: INTERVAL,
      alerts: storageAlerts(),
    },
  ];
}
