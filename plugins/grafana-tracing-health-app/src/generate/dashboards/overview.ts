import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { CHECK_METRICS, PIPELINE_METRICS } from '@internal/tracing-model';

import {
  RATE_INTERVAL,
  counterRateEitherSpelling,
  failureRatio,
  maxBy,
  rate,
  stateCode,
  sumBy,
} from '../promql';
import {
  DATASOURCE,
  baseDashboard,
  finalizeDashboard,
  lastValue,
  legendBottom,
  multiTooltip,
  queries,
  stateMappings,
  thresholdSteps,
  thresholds,
} from './common';

export const OVERVIEW_UID = 'tracing-health-overview';

/** Check status as a number: ok 0, warning 1, critical 2, unknown 3. */
export const CHECK_STATUS_CODES = [
  ['ok', 0],
  ['warning', 1],
  ['critical', 2],
  ['unknown', 3],
] as const;

const CHECK_STATUS_MAPPINGS = stateMappings([
  [0, 'OK', 'green'],
  [1, 'Warning', 'orange'],
  [2, 'Critical', 'red'],
  [3, 'Unknown', 'text'],
]);

const R = RATE_INTERVAL;

function ingestionPanels() {
  const exportSuccess = `1 - (${failureRatio(
    rate(PIPELINE_METRICS.exportFailed, R),
    rate(PIPELINE_METRICS.spansExported, R),
    [],
  )})`;
  const collectorExportSuccess = `1 - (${failureRatio(
    counterRateEitherSpelling('otelcol_exporter_send_failed_spans', R),
    counterRateEitherSpelling('otelcol_exporter_sent_spans', R),
    ['job'],
  )})`;
  return [
    new TimeseriesPanel()
      .title('Ingestion rate')
      .description(
        'Spans per second received by the portal’s embedded pipeline and accepted by OpenTelemetry Collector receivers.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: sumBy([], rate(PIPELINE_METRICS.spansReceived, R)),
            legend: 'portal pipeline: received',
          },
          {
            expr: sumBy(
              ['job'],
              counterRateEitherSpelling('otelcol_receiver_accepted_spans', R),
            ),
            legend: 'collector {{job}}: accepted',
          },
        ]),
      )
      .unit('reqps')
      .legend(legendBottom())
      .tooltip(multiTooltip())
      .span(12)
      .height(8),
    new StatPanel()
      .title('Export success rate')
      .description(
        'Share of spans exported successfully, portal pipeline and collectors.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          { expr: exportSuccess, legend: 'portal pipeline' },
          {
            expr: collectorExportSuccess,
            legend: 'collector {{job}}',
          },
        ]),
      )
      .unit('percentunit')
      .decimals(2)
      .min(0)
      .max(1)
      .reduceOptions(lastValue())
      .thresholds(
        thresholdSteps('red', [
          [0.95, 'orange'],
          [0.99, 'green'],
        ]),
      )
      .span(12)
      .height(8),
    new TimeseriesPanel()
      .title('Refused and dropped spans by reason')
      .description(
        'Spans the portal pipeline refused (memory pressure, bad data) or dropped after accepting them, and collector receiver refusals.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: sumBy(['reason'], rate(PIPELINE_METRICS.spansRefused, R)),
            legend: 'refused: {{reason}}',
          },
          {
            expr: sumBy(['reason'], rate(PIPELINE_METRICS.spansDropped, R)),
            legend: 'dropped: {{reason}}',
          },
          {
            expr: sumBy(
              ['job', 'receiver'],
              counterRateEitherSpelling('otelcol_receiver_refused_spans', R),
            ),
            legend: 'collector {{job}} refused: {{receiver}}',
          },
        ]),
      )
      .unit('reqps')
      .legend(legendBottom())
      .tooltip(multiTooltip())
      .span(24)
      .height(8),
  ];
}

function storagePanels() {
  return [
    new TimeseriesPanel()
      .title('Query latency p99 (Jaeger)')
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: `histogram_quantile(0.99, ${sumBy(
              ['job', 'le'],
              `${rate('jaeger_query_latency_bucket', R)} or ${rate(
                'jaeger_query_latency_seconds_bucket',
                R,
              )}`,
            )})`,
            legend: '{{job}} p99',
          },
        ]),
      )
      .unit('s')
      .thresholds(thresholds(0.5, 1))
      .legend(legendBottom())
      .span(8)
      .height(8),
    new StatPanel()
      .title('Storage cluster health (Elasticsearch)')
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: stateCode(
              'elasticsearch_cluster_health_status',
              'color',
              [
                ['green', 0],
                ['yellow', 1],
                ['red', 2],
              ],
              ['cluster'],
            ),
            legend: '{{cluster}}',
          },
        ]),
      )
      .mappings(
        stateMappings([
          [0, 'Green', 'green'],
          [1, 'Yellow', 'yellow'],
          [2, 'Red', 'red'],
        ]),
      )
      .reduceOptions(lastValue())
      .span(8)
      .height(8),
    new TimeseriesPanel()
      .title('Storage disk used (Elasticsearch)')
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: maxBy(
              ['cluster', 'name'],
              '1 - elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes',
            ),
            legend: '{{cluster}} {{name}}',
          },
        ]),
      )
      .unit('percentunit')
      .min(0)
      .max(1)
      .thresholds(thresholds(0.85, 0.95))
      .legend(legendBottom())
      .span(8)
      .height(8),
  ];
}

function collectorPanels() {
  return [
    new TimeseriesPanel()
      .title('Collector queue size vs capacity')
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: maxBy(
              ['job', 'instance', 'exporter'],
              'otelcol_exporter_queue_size',
            ),
            legend: '{{instance}} {{exporter}} size',
          },
          {
            expr: maxBy(
              ['job', 'instance', 'exporter'],
              'otelcol_exporter_queue_capacity',
            ),
            legend: '{{instance}} {{exporter}} capacity',
          },
        ]),
      )
      .unit('short')
      .legend(legendBottom())
      .tooltip(multiTooltip())
      .span(8)
      .height(8),
    new TimeseriesPanel()
      .title('Collector CPU')
      .description(
        'CPU used by each collector process, as a share of one core.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: maxBy(
              ['job', 'instance'],
              counterRateEitherSpelling('otelcol_process_cpu_seconds', R),
            ),
            legend: '{{instance}}',
          },
        ]),
      )
      .unit('percentunit')
      .thresholds(thresholds(0.8, 0.95))
      .legend(legendBottom())
      .span(8)
      .height(8),
    new TimeseriesPanel()
      .title('Kafka consumer lag')
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: sumBy(['consumergroup', 'topic'], 'kafka_consumergroup_lag'),
            legend: '{{consumergroup}} / {{topic}}',
          },
        ]),
      )
      .unit('short')
      .thresholds(thresholds(100000, 1000000))
      .legend(legendBottom())
      .span(8)
      .height(8),
  ];
}

function checkPanels() {
  const statusCode = stateCode(
    CHECK_METRICS.status,
    'status',
    CHECK_STATUS_CODES,
    ['check_id', 'check_type'],
  );
  return [
    new StateTimelinePanel()
      .title('Check status board')
      .description('Status of every tracing-health check over time.')
      .datasource(DATASOURCE)
      .targets(queries([{ expr: statusCode, legend: '{{check_id}}' }]))
      .mappings(CHECK_STATUS_MAPPINGS)
      .span(16)
      .height(10),
    new TablePanel()
      .title('Checks now')
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: `${CHECK_METRICS.status} == 1`,
            instant: true,
            table: true,
          },
        ]),
      )
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true, Value: true, __name__: true },
          indexByName: { check_id: 0, check_type: 1, status: 2 },
        },
      })
      .span(8)
      .height(10),
  ];
}

/** "Tracing Health overview": the health of the whole tracing system on one page. */
export function overviewDashboard() {
  const builder = baseDashboard(
    OVERVIEW_UID,
    'Tracing Health overview',
    'Is tracing working? Ingestion, export, storage, collectors, Kafka and the tracing-health checks.',
  );
  builder.withRow(new RowBuilder('Ingestion and export'));
  ingestionPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Query and storage'));
  storagePanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Collectors and Kafka'));
  collectorPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Checks'));
  checkPanels().forEach(panel => builder.withPanel(panel));
  return finalizeDashboard(builder);
}
