import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  Dashboard,
  MappingType,
  Panel,
  RowPanel,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DataqueryBuilder,
  PromQueryFormat,
} from '@grafana/grafana-foundation-sdk/prometheus';

/** Every panel and query reads the Prometheus data source picked in the `datasource` variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Tag shared by the dashboards; the dashboard links list dashboards with it. */
export const DASHBOARD_TAG = 'tracing-health';

export interface QuerySpec {
  expr: string;
  legend?: string;
  /** Instant query (stat and table panels showing the current value). */
  instant?: boolean;
  /** Table format: one row per series with its labels as columns. */
  table?: boolean;
}

/** Prometheus queries with refIds A, B, C... and the dashboard's data source. */
export function queries(specs: QuerySpec[]): DataqueryBuilder[] {
  return specs.map((spec, index) => {
    const query = new DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + index))
      .expr(spec.expr);
    if (spec.legend) query.legendFormat(spec.legend);
    if (spec.instant) query.instant();
    else query.range();
    if (spec.table) query.format(PromQueryFormat.Table);
    return query;
  });
}

export const legendBottom = () =>
  new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom);

export const multiTooltip = () =>
  new common.VizTooltipOptionsBuilder()
    .mode(common.TooltipDisplayMode.Multi)
    .sort(common.SortOrder.Descending);

export const lastValue = () =>
  new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

/** Absolute threshold steps: the first colour applies below the first value. */
export function thresholdSteps(
  base: string,
  steps: ReadonlyArray<readonly [value: number, color: string]>,
) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([
      { value: null, color: base },
      ...steps.map(([value, color]) => ({ value, color })),
    ]);
}

/** Green below `warn`, orange from `warn`, red from `critical`. */
export function thresholds(warn: number, critical: number) {
  return thresholdSteps('green', [
    [warn, 'orange'],
    [critical, 'red'],
  ]);
}

/** Value mapping from the numeric codes produced by `stateCode()` to labelled colours. */
export function stateMappings(
  states: ReadonlyArray<readonly [code: number, text: string, color: string]>,
): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: Object.fromEntries(
        states.map(([code, text, color], index) => [
          String(code),
          { text, color, index },
        ]),
      ),
    },
  ];
}

/** The `datasource` variable (any Prometheus data source) shared by the dashboards. */
export function datasourceVariable() {
  return new DatasourceVariableBuilder('datasource')
    .label('Prometheus')
    .type('prometheus');
}

/** Links to the other tracing-health dashboards, keeping time range and variables. */
export function dashboardLinks() {
  return new DashboardLinkBuilder('Tracing Health')
    .type(DashboardLinkType.Dashboards)
    .tags([DASHBOARD_TAG])
    .asDropdown(true)
    .keepTime(true)
    .includeVars(true)
    .targetBlank(false)
    .icon('external link')
    .tooltip('')
    .url('');
}

/** A dashboard with the shared settings: tag, time range, refresh, data source variable, links. */
export function baseDashboard(uid: string, title: string, description: string) {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG])
    .editable()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .withVariable(datasourceVariable())
    .link(dashboardLinks());
}

/**
 * The built dashboard with panel ids 1..n in layout order (the SDK leaves them unset and
 * Grafana needs them unique for links and the panel editor).
 */
export function finalizeDashboard(builder: DashboardBuilder): Dashboard {
  const dashboard = builder.build();
  let nextId = 1;
  const assign = (panel: Panel | RowPanel) => {
    panel.id = nextId++;
    if (panel.type === 'row') {
      (panel as RowPanel).panels?.forEach(assign);
    }
  };
  dashboard.panels?.forEach(assign);
  return dashboard;
}
