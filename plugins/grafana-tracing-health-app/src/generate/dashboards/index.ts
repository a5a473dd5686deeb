import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

import { overviewDashboard } from './overview';
import { pipelineDashboard } from './pipeline';
import { serviceGraphDashboard } from './serviceGraph';
import { servicesDashboard } from './services';

export interface GeneratedDashboard {
  /** File name under src/dashboards/ and the plugin.json include path `dashboards/<file>`. */
  file: string;
  dashboard: Dashboard;
}

/** Every dashboard the app ships, in plugin.json order. */
export function generatedDashboards(): GeneratedDashboard[] {
  return [
    { file: 'tracing-health-overview.json', dashboard: overviewDashboard() },
    { file: 'tracing-health-pipeline.json', dashboard: pipelineDashboard() },
    { file: 'tracing-health-services.json', dashboard: servicesDashboard() },
    {
      file: 'tracing-health-service-graph.json',
      dashboard: serviceGraphDashboard(),
    },
  ];
}
