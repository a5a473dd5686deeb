import {
  createCheckHarness,
  sendJson,
  startLoopbackServer,
  unusedPort,
} from '../__testUtils__/checkHarness';
import { jaegerCheckType } from './jaeger';

describe('jaeger check', () => {
  let queryUp = true;
  let collectorUp = true;
  let server: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Awaited<ReturnType<typeof createCheckHarness>>;

  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      if (req.url === '/api/services') {
        // Jaeger query's documented /api/services body.
        if (queryUp) {
          sendJson(res, 200, {
            data: ['frontend', 'driver', 'redis'],
            total: 3,
            limit: 0,
            offset: 0,
            errors: null,
          });
        } else {
          sendJson(res, 500, {
            data: null,
            total: 0,
            limit: 0,
            offset: 0,
            errors: [{ code: 500, msg: 'elastic: Error 503' }],
          });
        }
      } else if (req.url === '/collector-health') {
        // The collector admin port's health answer.
        sendJson(res, collectorUp ? 200 : 503, {
          status: collectorUp ? 'Server available' : 'Server not available',
          upSince: '2026-11-22T03:00:00Z',
          uptime: '1h0m0s',
        });
      } else {
        res.writeHead(404).end();
      }
    });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    queryUp = true;
    collectorUp = true;
    harness = await createCheckHarness([jaegerCheckType]);
  });
  afterEach(() => harness.close());

  const check = (extra: object = {}) => ({
    id: 'jaeger',
    type: 'jaeger',
    target: server.url,
    options: { collectorHealthUrl: `${server.url}/collector-health` },
    ...extra,
  });

  it('lists services, measures query latency against 500 ms and reads collector health', async () => {
    const result = await harness.run(check());
    const byName = Object.fromEntries(
      result.measurements.map(m => [m.name, m]),
    );
    expect(byName.query).toMatchObject({ status: 'ok', value: 3 });
    expect(byName.queryLatencyMs).toMatchObject({ threshold: 500, unit: 'ms' });
    expect(byName.queryLatencyMs.value).toBeGreaterThan(0);
    expect(byName.collectorHealth).toMatchObject({ status: 'ok' });
  });

  it('warns with the query-latency runbook when /api/services is slower than the threshold', async () => {
    const result = await harness.run(
      check({ thresholds: { queryLatencyMs: { warning: 0 } } }),
    );
    expect(result).toMatchObject({
      status: 'warning',
      runbookId: 'high-query-latency',
      threshold: 0,
    });
  });

  it('is critical when the query service fails or the collector is unavailable', async () => {
    queryUp = false;
    const down = await harness.run(check());
    expect(down.measurements.find(m => m.name === 'query')).toMatchObject({
      status: 'critical',
    });
    expect(down.message).toContain('500');

    queryUp = true;
    collectorUp = false;
    const collector = await harness.run(check());
    expect(collector).toMatchObject({
      status: 'critical',
      runbookId: 'collector-down',
    });
    expect(collector.message).toContain('Server not available');
  });

  it('is critical when the query service does not listen', async () => {
    const port = await unusedPort();
    const result = await harness.run(
      check({ target: `http://127.0.0.1:${port}`, options: {} }),
    );
    expect(result.status).toBe('critical');
    expect(result.message).toContain('ECONNREFUSED');
  });
});
