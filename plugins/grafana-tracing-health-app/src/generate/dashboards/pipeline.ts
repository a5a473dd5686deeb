import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PIPELINE_METRICS, SAMPLING_METRICS } from '@internal/tracing-model';

import { RATE_INTERVAL, histogramQuantile, rate, sumBy } from '../promql';
import {
  DATASOURCE,
  QuerySpec,
  baseDashboard,
  finalizeDashboard,
  legendBottom,
  multiTooltip,
  queries,
} from './common';

export const PIPELINE_UID = 'tracing-health-pipeline';

const R = RATE_INTERVAL;

function timeseries(
  title: string,
  description: string,
  unit: string,
  specs: QuerySpec[],
  width = 12,
) {
  return new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .targets(queries(specs))
    .unit(unit)
    .legend(legendBottom())
    .tooltip(multiTooltip())
    .span(width)
    .height(8);
}

function flowPanels() {
  return [
    timeseries(
      'Spans through the pipeline',
      'Received by the OTLP receiver, accepted past the memory limiter, refused, dropped after acceptance, and exported.',
      'reqps',
      [
        {
          expr: sumBy([], rate(PIPELINE_METRICS.spansReceived, R)),
          legend: 'received',
        },
        {
          expr: sumBy([], rate(PIPELINE_METRICS.spansAccepted, R)),
          legend: 'accepted',
        },
        {
          expr: sumBy([], rate(PIPELINE_METRICS.spansRefused, R)),
          legend: 'refused',
        },
        {
          expr: sumBy([], rate(PIPELINE_METRICS.spansDropped, R)),
          legend: 'dropped',
        },
        {
          expr: sumBy([], rate(PIPELINE_METRICS.spansExported, R)),
          legend: 'exported',
        },
      ],
      24,
    ),
    timeseries(
      'OTLP requests',
      'OTLP/HTTP export requests received.',
      'reqps',
      [
        {
          expr: sumBy([], rate(PIPELINE_METRICS.requests, R)),
          legend: 'requests',
        },
      ],
    ),
    timeseries('Export failures', 'Failed exports per second.', 'reqps', [
      {
        expr: sumBy([], rate(PIPELINE_METRICS.exportFailed, R)),
        legend: 'failed',
      },
    ]),
  ];
}

function resourcePanels() {
  return [
    timeseries(
      'Queue size vs capacity',
      'Spans waiting in the export queue, per instance.',
      'short',
      [
        { expr: PIPELINE_METRICS.queueSize, legend: '{{instance}} size' },
        {
          expr: PIPELINE_METRICS.queueCapacity,
          legend: '{{instance}} capacity',
        },
      ],
    ),
    timeseries(
      'Memory used vs limit',
      'Memory the pipeline holds, and the limit above which it refuses spans.',
      'bytes',
      [
        { expr: PIPELINE_METRICS.memoryUsedBytes, legend: '{{instance}} used' },
        {
          expr: PIPELINE_METRICS.memoryLimitBytes,
          legend: '{{instance}} {{limit}} limit',
        },
      ],
    ),
    timeseries(
      'CPU by thread',
      'Cores busy on the portal main thread (HTTP, Backstage) and on the pipeline worker threads (decoding, sampling), per instance. Workers near one core each: raise tracingHealth.pipeline.workers or add replicas.',
      'short',
      [
        {
          expr: sumBy(
            ['instance', 'thread'],
            rate(PIPELINE_METRICS.threadCpuSeconds, R),
          ),
          legend: '{{instance}} {{thread}}',
        },
      ],
    ),
    timeseries('Export latency', 'Duration of export calls.', 's', [
      {
        expr: histogramQuantile(0.5, PIPELINE_METRICS.exportDurationSeconds, R),
        legend: 'p50',
      },
      {
        expr: histogramQuantile(
          0.99,
          PIPELINE_METRICS.exportDurationSeconds,
          R,
        ),
        legend: 'p99',
      },
    ]),
    timeseries(
      'Redactions',
      'Attribute values the sanitizer redacted, per second.',
      'ops',
      [
        {
          expr: sumBy([], rate(PIPELINE_METRICS.redactions, R)),
          legend: 'redactions',
        },
      ],
    ),
  ];
}

function samplingPanels() {
  return [
    timeseries(
      'Sampling decisions by policy',
      'Trace decisions of the head and tail samplers per policy.',
      'ops',
      [
        {
          expr: sumBy(
            ['sampler', 'policy', 'decision'],
            rate(SAMPLING_METRICS.decisions, R),
          ),
          legend: '{{sampler}} {{policy}}: {{decision}}',
        },
      ],
      24,
    ),
    timeseries(
      'Tail sampling memory',
      'Bytes the tail sampler buffers while it waits for traces to complete.',
      'bytes',
      [
        {
          expr: sumBy([], SAMPLING_METRICS.tailBytes),
          legend: 'buffered bytes',
        },
      ],
    ),
    timeseries(
      'Tail sampling buffer',
      'Traces and spans the tail sampler holds.',
      'short',
      [
        { expr: sumBy([], SAMPLING_METRICS.tailTraces), legend: 'traces' },
        { expr: sumBy([], SAMPLING_METRICS.tailSpans), legend: 'spans' },
      ],
    ),
    timeseries(
      'Early decisions and late spans',
      'Traces decided before their wait ended (buffer limits), and spans that arrived after their trace was decided.',
      'ops',
      [
        {
          expr: sumBy(['reason'], rate(SAMPLING_METRICS.earlyDecisions, R)),
          legend: 'early: {{reason}}',
        },
        {
          expr: sumBy(['decision'], rate(SAMPLING_METRICS.lateSpans, R)),
          legend: 'late spans: {{decision}}',
        },
      ],
      24,
    ),
  ];
}

/** "Tracing Health pipeline internals": the embedded pipeline stage by stage. */
export function pipelineDashboard() {
  const builder = baseDashboard(
    PIPELINE_UID,
    'Tracing Health pipeline internals',
    'The portal’s embedded tracing pipeline: flow, queue, memory, export latency, redaction and sampling.',
  );
  builder.withRow(new RowBuilder('Flow'));
  flowPanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Queue, memory and export'));
  resourcePanels().forEach(panel => builder.withPanel(panel));
  builder.withRow(new RowBuilder('Sampling'));
  samplingPanels().forEach(panel => builder.withPanel(panel));
  return finalizeDashboard(builder);
}
