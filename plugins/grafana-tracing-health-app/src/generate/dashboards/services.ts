import {
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  COVERAGE_METRICS,
  COVERAGE_STATES,
  SAMPLING_METRICS,
  SPAN_METRICS,
} from '@internal/tracing-model';

import {
  RATE_INTERVAL,
  histogramQuantile,
  rate,
  stateCode,
  sumBy,
} from '../promql';
import {
  DATASOURCE,
  QuerySpec,
  baseDashboard,
  finalizeDashboard,
  lastValue,
  legendBottom,
  multiTooltip,
  queries,
  stateMappings,
  thresholdSteps,
} from './common';

export const SERVICES_UID = 'tracing-health-services';

const R = RATE_INTERVAL;
/** Label matcher for the `service` variable (multi-value, "All" = `.*`). */
const SERVICE = 'service=~"$service"';
/** Error spans, whether the status is written `ERROR` or `STATUS_CODE_ERROR`. */
const ERROR_STATUS = 'status_code=~"(?i)(STATUS_CODE_)?ERROR"';

const COVERAGE_STATE_COLORS: Record<(typeof COVERAGE_STATES)[number], string> =
  {
    traced: 'green',
    silent: 'red',
    untraced: 'text',
    unregistered: 'orange',
  };

function serviceVariable() {
  return new QueryVariableBuilder('service')
    .label('Service')
    .datasource(DATASOURCE)
    .query(`label_values(${COVERAGE_METRICS.serviceState}, service)`)
    .definition(`label_values(${COVERAGE_METRICS.serviceState}, service)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all', selected: true });
}

function timeseries(
  title: string,
  unit: string,
  specs: QuerySpec[],
  description: string,
) {
  return new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .targets(queries(specs))
    .unit(unit)
    .legend(legendBottom())
    .tooltip(multiTooltip())
    .span(8)
    .height(8);
}

function fleetPanels() {
  return COVERAGE_STATES.map(state =>
    new StatPanel()
      .title(`Services ${state}`)
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: sumBy([], `${COVERAGE_METRICS.services}{state="${state}"}`),
            instant: true,
          },
        ]),
      )
      .reduceOptions(lastValue())
      .thresholds(thresholdSteps(COVERAGE_STATE_COLORS[state], []))
      .span(6)
      .height(4),
  );
}

function redPanels() {
  return [
    timeseries(
      'Traces per second',
      'reqps',
      [
        {
          expr: sumBy(
            ['service'],
            rate(`${SPAN_METRICS.traces}{${SERVICE}}`, R),
          ),
          legend: '{{service}}',
        },
      ],
      'Root spans per second: traces started by each service (before sampling).',
    ),
    timeseries(
      'Error ratio',
      'percentunit',
      [
        {
          expr: `${sumBy(
            ['service'],
            rate(`${SPAN_METRICS.spans}{${SERVICE}, ${ERROR_STATUS}}`, R),
          )} / ${sumBy(
            ['service'],
            rate(`${SPAN_METRICS.spans}{${SERVICE}}`, R),
          )}`,
          legend: '{{service}}',
        },
      ],
      'Share of spans with status ERROR.',
    ),
    timeseries(
      'Latency p95',
      's',
      [
        {
          expr: histogramQuantile(
            0.95,
            SPAN_METRICS.duration,
            R,
            ['service'],
            SERVICE,
          ),
          legend: '{{service}}',
        },
      ],
      'p95 of span durations per service.',
    ),
  ];
}

function completenessPanels() {
  return [
    timeseries(
      'Trace completeness',
      'percentunit',
      [
        {
          expr: `${COVERAGE_METRICS.completeness}{${SERVICE}}`,
          legend: '{{service}}',
        },
      ],
      'Share of judged traces that were complete (target 95%).',
    ),
    timeseries(
      'Orphan spans',
      'ops',
      [
        {
          expr: sumBy(
            ['service'],
            rate(`${SPAN_METRICS.orphanSpans}{${SERVICE}}`, R),
          ),
          legend: '{{service}}',
        },
      ],
      'Spans whose parent never arrived: a sign of broken context propagation.',
    ),
    timeseries(
      'Head sampling rate',
      'percentunit',
      [{ expr: `${SAMPLING_METRICS.rate}{${SERVICE}}`, legend: '{{service}}' }],
      'Head sampling rate currently applied to each service.',
    ),
  ];
}

function coveragePanels() {
  const codes = COVERAGE_STATES.map((state, index) => [state, index] as const);
  return [
    new StateTimelinePanel()
      .title('Coverage state')
      .description(
        'traced: opted in and emitting; silent: opted in, nothing seen lately; untraced: not opted in; unregistered: emitting without a catalog component.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: stateCode(
              COVERAGE_METRICS.serviceState,
              'state',
              codes,
              ['service'],
              SERVICE,
            ),
            legend: '{{service}}',
          },
        ]),
      )
      .mappings(
        stateMappings(
          COVERAGE_STATES.map(
            (state, index) =>
              [index, state, COVERAGE_STATE_COLORS[state]] as const,
          ),
        ),
      )
      .span(12)
      .height(10),
    new TablePanel()
      .title('Services now')
      .description(
        'Catalog component, service.name, owner and coverage state, with the time since the last span.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: `${COVERAGE_METRICS.serviceState}{${SERVICE}} == 1`,
            instant: true,
            table: true,
          },
          {
            expr: `time() - max by (service) (${SPAN_METRICS.lastSeen}{${SERVICE}})`,
            instant: true,
            table: true,
          },
        ]),
      )
      .withTransformation({
        id: 'joinByField',
        options: { byField: 'service', mode: 'outer' },
      })
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true, 'Value #A': true, __name__: true },
          indexByName: {
            entity_ref: 0,
            service: 1,
            owner: 2,
            system: 3,
            state: 4,
          },
          renameByName: { 'Value #B': 'seconds since last span' },
        },
      })
      .span(12)
      .height(10),
  ];
}

/** "Tracing Health service coverage": per-service RED, completeness and coverage state. */
export function servicesDashboard() {
  const builder = baseDashboard(
    SERVICES_UID,
    'Tracing Health service coverage',
    'Per service: traces/s, errors, p95, completeness, sampling rate and coverage state, from span metrics computed before sampling.',
  ).withVariable(serviceVariable());
  builder.withRow(new RowBuilder('Fleet'));
  fleetPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Traffic'));
  redPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Completeness and sampling'));
  completenessPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Coverage'));
  coveragePanels().forEach(panel => builder.withPanel(panel));
  return finalizeDashboard(builder);
}
