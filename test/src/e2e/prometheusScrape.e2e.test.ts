import { projectMetricExpressions } from '@internal/grafana-tracing-health-app/src/generate/expressions';
import { eventually, RunningPrometheus, startPrometheus } from '../prometheus';
import { runDemoTraffic } from '../demoTraffic';
import { startOtlpSink } from '../otlpSink';
import { RunningPortal, startPortal, waitForCatalog } from '../portal';

jest.setTimeout(600_000);

/**
 * The Grafana app's dashboards and alert rules query the portal's own metrics: a real
 * Prometheus scraping the running portal, while demo traffic from the OpenTelemetry SDK flows,
 * must return data for every one of those queries (incident-only counters excepted).
 */
describe('Prometheus scraping the running portal', () => {
  let portal: RunningPortal;
  let prometheus: RunningPrometheus;
  let sink: Awaited<ReturnType<typeof startOtlpSink>>;

  beforeAll(async () => {
    // Export to a real OTLP sink, as a deployment would, so exporter queues, export latency
    // and export success have data.
    sink = await startOtlpSink();
    portal = await startPortal({
      // A budget for one owner, so the owner-budget gauges (and their alert) have series.
      configYaml: `tracingHealth:\n  pipeline:\n    exporters:\n      - name: sink\n        endpoint: ${sink.endpoint}\n  sampling:\n    budgets:\n      - owner: group:default/payments-team\n        spansPerSecond: 1000\n        bytesPerDay: 100000000000\n`,
    });
    await waitForCatalog(portal.baseUrl);
    prometheus = await startPrometheus({
      targets: [
        {
          job: 'tracing-health',
          url: `${portal.baseUrl}/api/tracing-health/metrics`,
        },
      ],
    });
    await runDemoTraffic({
      baseUrl: portal.baseUrl,
      seconds: 45,
      tracesPerSecond: 20,
    });
    // Coverage rollups and check runs happen on their own schedules; wait for the data the
    // queries need rather than for a fixed time.
    await eventually(
      async () =>
        (
          await prometheus.query('tracing_health_pipeline_spans_received_total')
        ).result.length > 0,
      { what: 'pipeline metrics scraped', timeoutMs: 120_000 },
    );
    await eventually(
      async () =>
        (
          await prometheus.query('tracing_health_coverage_services')
        ).result.length > 0 &&
        (await prometheus.query('tracing_health_check_status')).result.length >
          0,
      { what: 'coverage and check gauges scraped', timeoutMs: 120_000 },
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await portal?.stop();
    await sink?.close();
  });

  const expressions = projectMetricExpressions().filter(
    e => !e.onlyAfterEvents,
  );

  it('has project-metric queries to check', () => {
    expect(expressions.length).toBeGreaterThan(20);
  });

  it('returns data for every project-metric query of the dashboards and alert rules', async () => {
    // One bounded retry round: rates need two scrapes and rollups/checks run on their own
    // schedules; whatever is still empty after it is reported by its source.
    const server = prometheus;
    let empty = expressions;
    for (let round = 0; round < 6 && empty.length > 0; round++) {
      if (round > 0) await new Promise(r => setTimeout(r, 5_000));
      const results = await Promise.all(
        empty.map(async e => ({ e, data: await server.query(e.promql) })),
      );
      empty = results.filter(r => r.data.result.length === 0).map(r => r.e);
    }
    expect(empty.map(e => `${e.source}: ${e.promql}`)).toEqual([]);
  });
});
