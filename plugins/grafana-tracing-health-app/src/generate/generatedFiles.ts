import { generatedDashboards } from './dashboards';
import {
  renderGrafanaAlertProvisioning,
  renderPrometheusRuleFile,
} from './ruleFiles';

export interface GeneratedFile {
  /** Path relative to the package root (plugins/grafana-tracing-health-app). */
  path: string;
  content: string;
}

/** Every file the generator writes, with its content; the drift test compares these with the repo. */
export function generatedFiles(): GeneratedFile[] {
  return [
    ...generatedDashboards().map(({ file, dashboard }) => ({
      path: `src/dashboards/${file}`,
      content: `${JSON.stringify(dashboard, null, 2)}\n`,
    })),
    {
      path: 'src/alerts/tracing-health.rules.yaml',
      content: renderPrometheusRuleFile(),
    },
    {
      path: 'provisioning/alerting/tracing-health-alerts.yaml',
      content: renderGrafanaAlertProvisioning(),
    },
  ];
}
