import { maxBy, rate, sumBy } from '../promql';
import { AlertDefinition, WINDOW } from './alertDefinition';
import { num, pct, secs } from './descriptionTemplates';

/** Trace storage and transport: Jaeger queries, Elasticsearch, Kafka. */
export function storageAlerts(): AlertDefinition[] {
  return [
    {
      alert: 'JaegerQueryLatencyHigh',
      severity: 'warning',
      runbook: 'high-query-latency',
      source: 'jaeger',
      // Jaeger v1 exports jaeger_query_latency (seconds); v2 adds the unit suffix.
      signal: `histogram_quantile(0.99, ${sumBy(
        ['job', 'le'],
        `${rate('jaeger_query_latency_bucket', WINDOW)} or ${rate(
          'jaeger_query_latency_seconds_bucket',
          WINDOW,
        )}`,
      )})`,
      op: '>',
      threshold: 0.5,
      for: '5m',
      summary: 'Jaeger queries are slow.',
      description: v =>
        `p99 of Jaeger query latency ({{ $labels.job }}) is ${secs(
          v,
        )} over the last ${WINDOW}.`,
    },
    {
      alert: 'ElasticsearchClusterRed',
      severity: 'critical',
      runbook: 'elasticsearch-cluster-red',
      source: 'elasticsearch',
      signal: maxBy(
        ['cluster'],
        'elasticsearch_cluster_health_status{color="red"}',
      ),
      op: '>',
      threshold: 0,
      for: '1m',
      summary: 'The trace storage cluster is red.',
      description: () =>
        'Elasticsearch cluster {{ $labels.cluster }} is red: some primary shards are unassigned, so spans are lost or unsearchable.',
    },
    {
      alert: 'ElasticsearchDiskUsageHigh',
      severity: 'warning',
      runbook: 'elasticsearch-disk-full',
      source: 'elasticsearch',
      signal: maxBy(
        ['cluster', 'name'],
        '1 - elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes',
      ),
      op: '>',
      threshold: 0.85,
      for: '5m',
      summary: 'A trace storage node is running out of disk.',
      description: v =>
        `Node {{ $labels.name }} of cluster {{ $labels.cluster }} uses ${pct(
          v,
        )} of its data disk; Elasticsearch stops allocating shards at its watermarks.`,
    },
    {
      alert: 'KafkaConsumerLagHigh',
      severity: 'warning',
      runbook: 'kafka-lag',
      source: 'kafka',
      signal: sumBy(['consumergroup', 'topic'], 'kafka_consumergroup_lag'),
      op: '>',
      threshold: 100000,
      for: '5m',
      summary: 'Trace ingestion from Kafka lags behind.',
      description: v =>
        `Consumer group {{ $labels.consumergroup }} is ${num(
          v,
        )} messages behind on topic {{ $labels.topic }}.`,
    },
  ];
}
