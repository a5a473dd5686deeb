import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TRACING_READ_SUBJECT } from '@internal/plugin-tracing-health-common';
import request from 'supertest';
import { tracingHealthPlugin } from '../plugin';
import { startLoopbackServer } from './__testUtils__/checkHarness';
import { ChecksService } from './ChecksService';

jest.setTimeout(60_000);

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      annotations: {
        'tracing-health/enabled': 'true',
        'tracing-health/service-name': 'checkout-api',
        'tracing-health/runbook-url': 'https://wiki.example.com/checkout',
      },
    },
    spec: { type: 'service', owner: 'group:default/payments-team' },
  },
];

describe('checks REST API', () => {
  let web: Awaited<ReturnType<typeof startLoopbackServer>>;
  let webUp = true;
  /** While set, the web target answers only once it resolves. */
  let webGate: Promise<void> | undefined;
  const seenAuth: Array<string | undefined> = [];
  beforeAll(async () => {
    web = await startLoopbackServer(async (req, res) => {
      seenAuth.push(req.headers.authorization);
      await webGate;
      res.writeHead(webUp ? 200 : 503).end();
    });
  });
  afterAll(() => web.close());
  beforeEach(() => {
    webUp = true;
    webGate = undefined;
  });

  const start = (
    permission:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
    checks?: object[],
    checkScheduler?: object,
  ) =>
    startTestBackend({
      features: [
        tracingHealthPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: permission }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            backend: { baseUrl: 'http://portal.test:7007' },
            tracingHealth: {
              checkScheduler,
              checks: checks ?? [
                {
                  id: 'web',
                  type: 'http',
                  title: 'Portal',
                  target: `http://user:secret@${web.url.slice(7)}/`,
                  service: 'checkout-api',
                },
                { id: 'pipeline', type: 'pipeline' },
              ],
            },
          },
        }),
      ],
    });

  it('lists checks with their latest result, hides credentials, and serves history', async () => {
    const backend = await start();
    const res = await request(backend.server).get('/api/tracing-health/checks');
    expect(res.status).toBe(200);
    const [webCheck, pipeline] = res.body.items;
    expect(webCheck).toMatchObject({
      id: 'web',
      type: 'http',
      title: 'Portal',
      service: 'checkout-api',
      intervalSeconds: 60,
      timeoutSeconds: 10,
      latest: { status: 'ok', runbookId: 'endpoint-down' },
    });
    expect(webCheck.target).not.toContain('secret');
    expect(seenAuth).toContain(
      `Basic ${Buffer.from('user:secret').toString('base64')}`,
    );
    expect(webCheck.recent).toHaveLength(1);
    expect(webCheck.statusSince).toBe(webCheck.latest.startedAt);
    // The embedded pipeline runs in this backend: its own state is measured.
    expect(pipeline.latest.status).toBe('ok');
    expect(pipeline.latest.measurements.map((m: any) => m.name)).toEqual([
      'memoryRatio',
      'queueUtilization',
      'exportFailures',
      'dropRatio',
    ]);

    const history = await request(backend.server).get(
      '/api/tracing-health/checks/web/history?limit=5',
    );
    expect(history.body.items).toHaveLength(1);
    expect(
      (await request(backend.server).get('/api/tracing-health/checks/nope'))
        .status,
    ).toBe(404);
    expect(
      (
        await request(backend.server).get(
          '/api/tracing-health/checks/web/history?limit=0',
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await request(backend.server).get(
          '/api/tracing-health/checks/web/history?before=yesterday',
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await request(backend.server)
          .get('/api/tracing-health/checks')
          .set('Authorization', mockCredentials.none.header())
      ).status,
    ).toBe(401);
    await backend.stop();
  });

  it('runs a check now when allowed, records the transition, and exports status gauges', async () => {
    const backend = await start();
    webUp = false;
    const run = await request(backend.server).post(
      '/api/tracing-health/checks/web/run',
    );
    expect(run.status).toBe(202);
    const res = await request(backend.server).get(
      '/api/tracing-health/checks/web',
    );
    expect(res.body.latest).toMatchObject({
      status: 'critical',
      message: 'answered 503, expected 2xx or 3xx',
    });
    expect(res.body.recent.map((p: any) => p.status)).toEqual([
      'ok',
      'critical',
    ]);

    const metrics = await request(backend.server).get(
      '/api/tracing-health/metrics',
    );
    expect(metrics.text).toContain(
      'tracing_health_check_status{check_id="web",check_type="http",status="critical"} 1',
    );
    expect(metrics.text).toContain(
      'tracing_health_check_status{check_id="web",check_type="http",status="ok"} 0',
    );
    expect(metrics.text).toMatch(
      /tracing_health_check_last_run_timestamp_seconds\{check_id="web",check_type="http"\} \d+/,
    );
    expect(metrics.text).toContain(
      'tracing_health_check_value{check_id="web",check_type="http"} 503',
    );
    expect(metrics.text).toMatch(
      /tracing_health_check_duration_seconds\{check_id="web",check_type="http"\} \d/,
    );
    expect(
      (
        await request(backend.server).post(
          '/api/tracing-health/checks/nope/run',
        )
      ).status,
    ).toBe(404);
    await backend.stop();
  });

  it('refuses run now without the tracing-health.check.run permission', async () => {
    const backend = await start(AuthorizeResult.DENY);
    const res = await request(backend.server).post(
      '/api/tracing-health/checks/web/run',
    );
    expect(res.status).toBe(403);
    await backend.stop();
  });

  it('lets no service token run a check, even with the permission', async () => {
    const backend = await start();
    const res = await request(backend.server)
      .post('/api/tracing-health/checks/web/run')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(403);
    // The read token still reads results (other external tokens are kept to their own use).
    expect(
      (
        await request(backend.server)
          .get('/api/tracing-health/checks/web')
          .set(
            'Authorization',
            mockCredentials.service.header({
              onBehalfOf: mockCredentials.service(TRACING_READ_SUBJECT),
              targetPluginId: 'tracing-health',
            }),
          )
      ).status,
    ).toBe(200);
    await backend.stop();
  });

  it('joins a run in flight, then refuses runs on demand with 429 and Retry-After until the interval passes', async () => {
    const backend = await start(AuthorizeResult.ALLOW, undefined, {
      runNowMinIntervalSeconds: 120,
    });
    const triggerRun = jest.spyOn(ChecksService.prototype, 'triggerRun');
    const callsSoFar = async (n: number) => {
      while (triggerRun.mock.calls.length < n) {
        await new Promise(resolve => setTimeout(resolve, 5));
      }
    };
    let release!: () => void;
    webGate = new Promise(resolve => {
      release = resolve;
    });
    const probesBefore = seenAuth.length;
    const post = (id: string) =>
      request(backend.server).post(`/api/tracing-health/checks/${id}/run`);

    const first = post('web').then(r => r);
    await callsSoFar(1);
    const second = post('web').then(r => r);
    await callsSoFar(2);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, a.body]).toEqual([
      202,
      { id: 'web', triggered: true, joined: false },
    ]);
    expect([b.status, b.body]).toEqual([
      202,
      { id: 'web', triggered: true, joined: true },
    ]);
    expect(seenAuth.length - probesBefore).toBe(1);

    const third = await post('web');
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(third.body).toMatchObject({
      error: {
        name: 'RunThrottledError',
        message: expect.stringContaining('at most once every 120s'),
      },
      retryAfterSeconds: retryAfter,
    });
    expect(seenAuth.length - probesBefore).toBe(1);
    // The limit is per check.
    expect((await post('pipeline')).status).toBe(202);
    triggerRun.mockRestore();
    await backend.stop();
  });

  it('serves runbooks filled for a service, with its own runbook first', async () => {
    const backend = await start();
    const list = await request(backend.server).get(
      '/api/tracing-health/runbooks',
    );
    expect(list.body.items.length).toBeGreaterThanOrEqual(17);
    const res = await request(backend.server).get(
      '/api/tracing-health/runbooks/no-traces?service=checkout-api',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'no-traces',
      serviceRunbookUrl: 'https://wiki.example.com/checkout',
    });
    expect(res.body.markdown).toContain(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://portal.test:7007/api/tracing-health/v1/traces',
    );
    expect(
      (await request(backend.server).get('/api/tracing-health/runbooks/nope'))
        .status,
    ).toBe(404);
    await backend.stop();
  });

  it('serves the monthly report as JSON and Markdown, 400 for a bad month', async () => {
    const backend = await start();
    const month = new Date().toISOString().slice(0, 7);
    const json = await request(backend.server).get(
      `/api/tracing-health/report?month=${month}`,
    );
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      month,
      coverage: { components: 1, optedIn: 1 },
    });
    expect(json.body.checks.map((c: any) => c.checkId)).toEqual([
      'web',
      'pipeline',
    ]);
    const md = await request(backend.server).get(
      `/api/tracing-health/report?month=${month}&format=markdown`,
    );
    expect(md.headers['content-type']).toContain('text/markdown');
    expect(md.text).toContain(`# Tracing health report: ${month}`);
    const accept = await request(backend.server)
      .get(`/api/tracing-health/report?month=${month}`)
      .set('Accept', 'text/markdown');
    expect(accept.text).toContain('## Uptime per check');
    expect(
      (
        await request(backend.server).get(
          '/api/tracing-health/report?month=2026-1',
        )
      ).status,
    ).toBe(400);
    expect(
      (await request(backend.server).get('/api/tracing-health/report')).status,
    ).toBe(400);
    await backend.stop();
  });

  it('refuses to start with invalid check config, naming the key', async () => {
    await expect(
      start(AuthorizeResult.ALLOW, [{ id: 'x', type: 'http' }]),
    ).rejects.toThrow('tracingHealth.checks[0].target: required for type http');
  });
});
