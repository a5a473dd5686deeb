import {
  createCheckHarness,
  sendJson,
  startLoopbackServer,
  unusedPort,
} from '../__testUtils__/checkHarness';
import { otelCollectorCheckType } from './otelCollector';

// What the Collector's health_check extension (v1) answers.
const AVAILABLE = {
  status: 'Server available',
  upSince: '2026-11-20T04:12:31.6847174Z',
  uptime: '49h0m13.2518s',
};
const NOT_AVAILABLE = {
  status: 'Server not available',
  upSince: '0001-01-01T00:00:00Z',
  uptime: '',
};

interface Counters {
  accepted: number;
  refused: number;
  sent: number;
  failed: number;
  queueSize: number;
}

/** The Collector's own /metrics, in the Collector ≥ 0.107 spelling (`_total`) or the older one. */
function collectorMetrics(c: Counters, withTotal: boolean): string {
  const t = withTotal ? '_total' : '';
  return [
    `# HELP otelcol_receiver_accepted_spans${t} Number of spans successfully pushed into the pipeline.`,
    `# TYPE otelcol_receiver_accepted_spans${t} counter`,
    `otelcol_receiver_accepted_spans${t}{receiver="otlp",service_instance_id="a1",transport="grpc"} ${c.accepted}`,
    `otelcol_receiver_accepted_spans${t}{receiver="otlp",service_instance_id="a1",transport="http"} 0`,
    `# TYPE otelcol_receiver_refused_spans${t} counter`,
    `otelcol_receiver_refused_spans${t}{receiver="otlp",service_instance_id="a1",transport="grpc"} ${c.refused}`,
    `# TYPE otelcol_exporter_sent_spans${t} counter`,
    `otelcol_exporter_sent_spans${t}{exporter="otlp/tempo",service_instance_id="a1"} ${c.sent}`,
    `# TYPE otelcol_exporter_send_failed_spans${t} counter`,
    `otelcol_exporter_send_failed_spans${t}{exporter="otlp/tempo",service_instance_id="a1"} ${c.failed}`,
    '# HELP otelcol_exporter_queue_capacity Fixed capacity of the retry queue (in batches)',
    '# TYPE otelcol_exporter_queue_capacity gauge',
    'otelcol_exporter_queue_capacity{exporter="otlp/tempo",service_instance_id="a1"} 1000',
    '# TYPE otelcol_exporter_queue_size gauge',
    `otelcol_exporter_queue_size{exporter="otlp/tempo",service_instance_id="a1"} ${c.queueSize}`,
    '',
  ].join('\n');
}

const COLLECTOR_KEY = 'collector-k3y';

describe('otel-collector check', () => {
  let healthy = true;
  let withTotal = true;
  let counters: Counters;
  let server: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Awaited<ReturnType<typeof createCheckHarness>>;

  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      // A collector behind a proxy that wants a key on both endpoints.
      if (req.url?.startsWith('/guarded/')) {
        if (req.headers['x-collector-key'] !== COLLECTOR_KEY) {
          res.writeHead(401).end('missing x-collector-key');
          return;
        }
        req.url = req.url.slice('/guarded'.length);
      }
      if (req.url === '/') {
        sendJson(res, healthy ? 200 : 503, healthy ? AVAILABLE : NOT_AVAILABLE);
      } else if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(collectorMetrics(counters, withTotal));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    healthy = true;
    withTotal = true;
    counters = {
      accepted: 10_000,
      refused: 0,
      sent: 10_000,
      failed: 0,
      queueSize: 10,
    };
    harness = await createCheckHarness([otelCollectorCheckType]);
  });
  afterEach(() => harness.close());

  const check = () => ({
    id: 'collector',
    type: 'otel-collector',
    target: `${server.url}/`,
    options: { metricsUrl: `${server.url}/metrics` },
  });

  it('is ok when healthy, with room in the queue and nothing refused or failed', async () => {
    const result = await harness.run(check());
    expect(result.status).toBe('ok');
    expect(result.measurements.map(m => [m.name, m.status])).toEqual([
      ['health', 'ok'],
      ['queueUtilization', 'ok'],
      ['refusedRatio', 'ok'],
      ['sendFailureRatio', 'ok'],
    ]);
    expect(result.measurements[0].message).toContain('Server available');
  });

  it('sends the configured headers to health_check and the metrics endpoint', async () => {
    const result = await harness.run({
      ...check(),
      target: `${server.url}/guarded/`,
      options: { metricsUrl: `${server.url}/guarded/metrics` },
      headers: { 'x-collector-key': COLLECTOR_KEY },
    });
    expect(result.measurements.map(m => [m.name, m.status])).toEqual([
      ['health', 'ok'],
      ['queueUtilization', 'ok'],
      ['refusedRatio', 'ok'],
      ['sendFailureRatio', 'ok'],
    ]);
  });

  it('is critical with the collector-down runbook when health_check answers 503', async () => {
    healthy = false;
    const result = await harness.run(check());
    expect(result).toMatchObject({
      status: 'critical',
      runbookId: 'collector-down',
    });
    expect(result.message).toContain('503');
    expect(result.message).toContain('Server not available');
  });

  it('is critical when nothing listens', async () => {
    const port = await unusedPort();
    const result = await harness.run({
      ...check(),
      target: `http://127.0.0.1:${port}/`,
      options: {},
    });
    expect(result).toMatchObject({
      status: 'critical',
      runbookId: 'collector-down',
    });
    expect(result.message).toContain('ECONNREFUSED');
  });

  it.each([true, false])(
    'warns above 80%% queue use (metric names with _total: %s)',
    async total => {
      withTotal = total;
      counters.queueSize = 850;
      const result = await harness.run(check());
      expect(result).toMatchObject({
        status: 'warning',
        runbookId: 'high-queue',
        value: 0.85,
        threshold: 0.8,
      });
      expect(result.message).toContain('otlp/tempo');
    },
  );

  it.each([true, false])(
    'judges refusals and export failures since the last run (metric names with _total: %s)',
    async total => {
      withTotal = total;
      // A collector that refused 5% over its lifetime but nothing lately is fine now.
      counters = {
        accepted: 9_400,
        refused: 600,
        sent: 9_500,
        failed: 0,
        queueSize: 0,
      };
      const first = await harness.run(check());
      expect(
        first.measurements.find(m => m.name === 'refusedRatio'),
      ).toMatchObject({
        status: 'critical',
        runbookId: 'memory-pressure',
      });
      expect(first.message).toContain('since the collector started');

      counters = {
        accepted: 19_400,
        refused: 600,
        sent: 19_400,
        failed: 100,
        queueSize: 0,
      };
      const second = await harness.run(check());
      const refused = second.measurements.find(m => m.name === 'refusedRatio')!;
      expect(refused).toMatchObject({ status: 'ok', value: 0 });
      const failed = second.measurements.find(
        m => m.name === 'sendFailureRatio',
      )!;
      expect(failed).toMatchObject({
        status: 'warning',
        runbookId: 'export-failures',
      });
      expect(failed.value).toBeCloseTo(100 / 10_000);
      expect(failed.message).toContain('since the last run');
    },
  );

  it('treats a counter reset (collector restart) as counting from the restart', async () => {
    counters = {
      accepted: 100_000,
      refused: 0,
      sent: 100_000,
      failed: 0,
      queueSize: 0,
    };
    await harness.run(check());
    counters = {
      accepted: 90,
      refused: 10,
      sent: 100,
      failed: 0,
      queueSize: 0,
    };
    const result = await harness.run(check());
    const refused = result.measurements.find(m => m.name === 'refusedRatio')!;
    expect(refused.value).toBeCloseTo(0.1);
    expect(refused.status).toBe('critical');
  });

  it('honours configured thresholds', async () => {
    counters.queueSize = 500;
    const result = await harness.run({
      ...check(),
      thresholds: { queueUtilization: { warning: 0.3, critical: 0.45 } },
    });
    expect(result).toMatchObject({ status: 'critical', threshold: 0.45 });
  });
});
