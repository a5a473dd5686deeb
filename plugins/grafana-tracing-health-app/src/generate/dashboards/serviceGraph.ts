import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as NodeGraphPanel } from '@grafana/grafana-foundation-sdk/nodegraph';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { SERVICE_GRAPH_METRICS } from '@internal/tracing-model';

import {
  RATE_INTERVAL,
  histogramQuantile,
  rate,
  shareOf,
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
  thresholdSteps,
} from './common';

export const SERVICE_GRAPH_UID = 'tracing-health-service-graph';

const R = RATE_INTERVAL;
const EDGE = ['client', 'server'];
const REQUESTS = SERVICE_GRAPH_METRICS.requests;

/** Calls per second into each node (`id`), and 0 for nodes that only call: the node frame. */
function nodesQuery(): string {
  // label_join with one source label copies it (label_replace's "$1" would read as a Grafana variable).
  const into = `label_join(${sumBy(
    ['server'],
    rate(REQUESTS, R),
  )}, "id", "", "server")`;
  const from = `label_join(${sumBy(
    ['client'],
    rate(REQUESTS, R),
  )}, "id", "", "client")`;
  return `${sumBy(['id'], into)} or ${sumBy(['id'], from)} * 0`;
}

/** Calls per second per edge, with `id` = "client->server": the edge frame. */
function edgesQuery(): string {
  return `label_join(${sumBy(
    EDGE,
    rate(REQUESTS, R),
  )}, "id", "->", "client", "server")`;
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
    .span(12)
    .height(8);
}

function graphPanels() {
  return [
    new NodeGraphPanel()
      .title('Service graph')
      .description(
        'Calls between services paired from client and server spans before sampling (nodes: calls per second received; edges: calls per second). Uninstrumented dependencies appear as nodes named from peer.service, server.address or db.system.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          { expr: nodesQuery(), instant: true, table: true },
          { expr: edgesQuery(), instant: true, table: true },
        ]),
      )
      // The node graph reads frames by field names: nodes id/mainstat, edges id/source/target/mainstat.
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          renameByName: {
            'Value #A': 'mainstat',
            'Value #B': 'mainstat',
            client: 'source',
            server: 'target',
          },
        },
      })
      .span(24)
      .height(14),
  ];
}

function edgePanels() {
  return [
    timeseries(
      'Requests per edge',
      'reqps',
      [
        {
          expr: sumBy(EDGE, rate(REQUESTS, R)),
          legend: '{{client}} → {{server}}',
        },
      ],
      'Calls per second from client to server (paired spans, or client spans to an uninstrumented dependency).',
    ),
    timeseries(
      'Failed requests per edge',
      'percentunit',
      [
        {
          expr: shareOf(
            rate(SERVICE_GRAPH_METRICS.failedRequests, R),
            rate(REQUESTS, R),
            EDGE,
          ),
          legend: '{{client}} → {{server}}',
        },
      ],
      'Share of calls where the client or the server span has status ERROR.',
    ),
    timeseries(
      'Server latency p95 per edge',
      's',
      [
        {
          expr: histogramQuantile(
            0.95,
            SERVICE_GRAPH_METRICS.serverSeconds,
            R,
            EDGE,
          ),
          legend: '{{client}} → {{server}}',
        },
      ],
      'p95 of the server span durations per edge (the client span durations for an uninstrumented dependency).',
    ),
  ];
}

function propagationPanels() {
  return [
    timeseries(
      'Broken propagation per edge',
      'ops',
      [
        {
          expr: sumBy(EDGE, rate(SERVICE_GRAPH_METRICS.brokenPropagation, R)),
          legend: '{{client}} → {{server}}',
        },
      ],
      'Client spans per second whose server span never joined the trace although the server sends spans: the client did not inject the context or the server did not extract it. See the broken-propagation runbook.',
    ),
    new TablePanel()
      .title('Uninstrumented dependencies')
      .description(
        'Edges to virtual nodes: callees named by their callers that send no spans themselves.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: sumBy(
              EDGE,
              rate(`${REQUESTS}{connection_type="virtual_node"}`, R),
            ),
            instant: true,
            table: true,
          },
        ]),
      )
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          renameByName: {
            Value: 'calls/s',
            client: 'caller',
            server: 'uninstrumented callee',
          },
        },
      })
      .span(12)
      .height(8),
    new StatPanel()
      .title('Unpaired halves waiting')
      .description(
        'Client and server spans waiting for their other half; bounded by tracingHealth.serviceGraph.maxPending per worker.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          { expr: `sum(${SERVICE_GRAPH_METRICS.pending})`, instant: true },
        ]),
      )
      .reduceOptions(lastValue())
      .thresholds(thresholdSteps('green', []))
      .span(6)
      .height(8),
    new StatPanel()
      .title('Dropped by the bounds')
      .description(
        'Halves not stored (store full) and calls not counted (edge cap reached) per second; above 0, raise tracingHealth.serviceGraph.maxPending or maxEdges.',
      )
      .datasource(DATASOURCE)
      .targets(
        queries([
          {
            expr: sumBy([], rate(SERVICE_GRAPH_METRICS.dropped, R)),
            instant: true,
          },
        ]),
      )
      .unit('ops')
      .reduceOptions(lastValue())
      .thresholds(thresholdSteps('green', [[0.001, 'orange']]))
      .span(6)
      .height(8),
  ];
}

/** "Tracing Health service graph": who calls whom, how well, and where traces break. */
export function serviceGraphDashboard() {
  const builder = baseDashboard(
    SERVICE_GRAPH_UID,
    'Tracing Health service graph',
    'Calls between services paired from spans before sampling (like the Collector servicegraph connector): rate, errors and latency per edge, uninstrumented dependencies and broken context propagation.',
  );
  builder.withRow(new RowBuilder('Graph'));
  graphPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Edges'));
  edgePanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Propagation'));
  propagationPanels().forEach(panel => builder.withPanel(panel));
  return finalizeDashboard(builder);
}
