import { projectMetricExpressions } from '@internal/grafana-tracing-health-app/src/generate/expressions';
import { eventually, RunningPrometheus, startPrometheus } from '../prometheus';
import { runDemoTraffic } from '../demoTraffic';
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

  beforeAll(async () => {
    portal = await startPortal();
    await waitForCatalog(portal.baseUrl);
    prometheus = await startPrometheus({
      targets: [{ job: 'tracing-health', url: `${portal.baseUrl}/api/tracing-health/metrics` }],
    });
    await runDemoTraffic({ baseUrl: portal.baseUrl, seconds: 45, tracesPerSecond: 20 });
    // Coverage rollups and check runs happen on their own schedules; wait for the data the
    // queries need rather than for a fixed time.
    await eventually(
      async () => (await prometheus.query('tracing_health_pipeline_spans_received_total')).result.length > 0,
      { what: 'pipeline metrics scraped', timeoutMs: 120_000 },
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await portal?.stop();
  });

  const expressions = projectMetricExpressions().filter(e => !e.onlyAfterEvents);

  it('has project-metric queries to check', () => {
    expect(expressions.length).toBeGreaterThan(20);
  });

  it.each(expressions.map(e => [e.source, e.promql]))('%s returns data', async (_source, promql) => {
    const data = await eventually(
      async () => {
        const result = await prometheus.query(promql);
        return result.result.length > 0 ? result : undefined;
      },
      { what: `data for ${promql}`, timeoutMs: 120_000, intervalMs: 2_000 },
    );
    expect(data.result.length).toBeGreaterThan(0);
  });
});
