import {
  createCheckHarness,
  startLoopbackServer,
} from '../__testUtils__/checkHarness';
import {
  eventually,
  startRealPrometheus,
} from '../__testUtils__/realPrometheus';
import { prometheusQueryCheckType } from './prometheusQuery';

jest.setTimeout(120_000);

// A fixture exporter: Kafka consumer lag as kafka_exporter names it, and Collector self-metrics.
let lagOrders = 250_000;
const exposition = () =>
  [
    '# TYPE kafka_consumergroup_lag gauge',
    `kafka_consumergroup_lag{consumergroup="otel-ingester",partition="0",topic="otlp_spans"} ${lagOrders}`,
    'kafka_consumergroup_lag{consumergroup="otel-ingester",partition="1",topic="otlp_spans"} 1200',
    'kafka_consumergroup_lag{consumergroup="jaeger-ingester",partition="0",topic="jaeger-spans"} 10',
    '# TYPE otelcol_exporter_queue_size gauge',
    'otelcol_exporter_queue_size{exporter="otlp/tempo"} 900',
    '# TYPE otelcol_exporter_queue_capacity gauge',
    'otelcol_exporter_queue_capacity{exporter="otlp/tempo"} 1000',
    '# TYPE otelcol_receiver_accepted_spans_total counter',
    'otelcol_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} 5000',
    '',
  ].join('\n');

describe('prometheus-query check against a real Prometheus', () => {
  let exporter: Awaited<ReturnType<typeof startLoopbackServer>>;
  let prometheus: Awaited<ReturnType<typeof startRealPrometheus>>;
  let harness: Awaited<ReturnType<typeof createCheckHarness>>;

  beforeAll(async () => {
    exporter = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(exposition());
    });
    prometheus = await startRealPrometheus(`${exporter.url}/metrics`);
    await eventually(async () => {
      const res = await fetch(
        `${prometheus.url}/api/v1/query?query=kafka_consumergroup_lag`,
      );
      const body = (await res.json()) as any;
      return body.data?.result?.length === 3;
    }, 'the fixture to be scraped');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });
  beforeEach(async () => {
    harness = await createCheckHarness([prometheusQueryCheckType]);
  });
  afterEach(() => harness.close());

  const lagCheck = (extra: object = {}) => ({
    id: 'kafka-lag',
    type: 'prometheus-query',
    target: prometheus.url,
    options: { query: 'sum by (consumergroup) (kafka_consumergroup_lag)' },
    thresholds: { value: { warning: 100_000, critical: 1_000_000 } },
    runbook: 'kafka-lag',
    ...extra,
  });

  it('warns on Kafka consumer lag above 100k, naming the lagging group, with the kafka-lag runbook', async () => {
    const result = await harness.run(lagCheck());
    expect(result).toMatchObject({
      status: 'warning',
      runbookId: 'kafka-lag',
      threshold: 100_000,
    });
    expect(result.value).toBe(251_200);
    expect(result.message).toContain('consumergroup="otel-ingester"');
    expect(result.measurements.map(m => m.status).sort()).toEqual([
      'ok',
      'warning',
    ]);
  });

  it('follows the series as they change', async () => {
    lagOrders = 2_000_000;
    try {
      const result = await eventually(async () => {
        const r = await harness.run(lagCheck());
        return r.status === 'critical' ? r : undefined;
      }, 'the new lag to be scraped');
      expect(result.value).toBe(2_001_200);
    } finally {
      lagOrders = 250_000;
    }
  });

  it('judges collector self-metrics scraped by Prometheus', async () => {
    const result = await harness.run({
      id: 'collector-queue',
      type: 'prometheus-query',
      target: prometheus.url,
      runbook: 'high-queue',
      options: {
        query: 'otelcol_exporter_queue_size / otelcol_exporter_queue_capacity',
      },
      thresholds: { value: { warning: 0.8, critical: 0.95 } },
    });
    expect(result).toMatchObject({
      status: 'warning',
      runbookId: 'high-queue',
      value: 0.9,
    });
  });

  it('judges a falling rate with direction below', async () => {
    const result = await harness.run({
      id: 'ingest-rate',
      type: 'prometheus-query',
      target: prometheus.url,
      runbook: 'trace-data-loss',
      options: { query: 'sum(otelcol_receiver_accepted_spans_total)' },
      thresholds: { value: { warning: 10_000, direction: 'below' } },
    });
    expect(result).toMatchObject({
      status: 'warning',
      value: 5000,
      runbookId: 'trace-data-loss',
    });
  });

  it('links the generic PromQL runbook when the check names none', async () => {
    const result = await harness.run(lagCheck({ runbook: undefined }));
    expect(result.status).not.toBe('ok');
    expect(result.runbookId).toBe('promql-threshold');
  });

  it('is unknown with the check-failing runbook for invalid PromQL and for no data', async () => {
    const invalid = await harness.run(
      lagCheck({ runbook: undefined, options: { query: 'sum(' } }),
    );
    expect(invalid).toMatchObject({
      status: 'unknown',
      runbookId: 'check-failing',
    });
    expect(invalid.message).toContain('bad_data');
    const empty = await harness.run(
      lagCheck({ options: { query: 'kafka_consumergroup_lag{topic="none"}' } }),
    );
    expect(empty.status).toBe('unknown');
    expect(empty.message).toContain('no series');
    const emptyOk = await harness.run(
      lagCheck({
        options: {
          query: 'kafka_consumergroup_lag{topic="none"}',
          noData: 'ok',
        },
      }),
    );
    expect(emptyOk.status).toBe('ok');
  });
});
