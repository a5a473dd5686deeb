import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  SAMPLING_ROUTES,
  samplingPath,
  TRACING_INGEST_SUBJECT,
  TRACING_READ_SUBJECT,
} from '@internal/plugin-tracing-health-common';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import request from 'supertest';
import { tracingHealthPlugin } from '../plugin';
import { createAccessMiddleware } from './createAccessMiddleware';
import { readAccessConfig } from './readAccessConfig';

jest.setTimeout(60_000);

const INGEST_TOKEN = 'test-ingest-token-0123456789';
const READ_TOKEN = 'test-read-token-0123456789';
const OTHER_TOKEN = 'test-other-team-token-0123456789';

/** The whole plugin with the real auth services and real static tokens, as in production. */
async function startBackend(tracingHealth: object = {}) {
  const { server } = await startTestBackend({
    features: [
      tracingHealthPlugin,
      catalogServiceMock.factory({ entities: [] }),
      authServiceFactory,
      httpAuthServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: 'http://127.0.0.1:7007',
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: {
                    token: INGEST_TOKEN,
                    subject: TRACING_INGEST_SUBJECT,
                  },
                  accessRestrictions: [{ plugin: 'tracing-health' }],
                },
                {
                  type: 'static',
                  options: { token: READ_TOKEN, subject: TRACING_READ_SUBJECT },
                  accessRestrictions: [{ plugin: 'tracing-health' }],
                },
                {
                  type: 'static',
                  options: { token: OTHER_TOKEN, subject: 'other-team' },
                },
              ],
            },
          },
          tracingHealth: {
            checks: [{ id: 'pipeline', type: 'pipeline', interval: '1h' }],
            ...tracingHealth,
          },
        },
      }),
    ],
  });
  return server;
}

const bearer = (token: string) => `Bearer ${token}`;
const api = (path: string) => `/api/tracing-health${path}`;
const emptyOtlp = { resourceSpans: [] };

describe('external tokens are kept to their use', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    server = await startBackend();
  });

  it('lets the ingest token send spans and nothing else', async () => {
    const ingest = await request(server)
      .post(api('/v1/traces'))
      .set('Authorization', bearer(INGEST_TOKEN))
      .send(emptyOtlp);
    expect(ingest.status).toBe(200);

    for (const path of [
      '/report?month=2026-11',
      '/collector-config',
      '/services',
      '/checks',
      SAMPLING_ROUTES.policies,
    ]) {
      const res = await request(server)
        .get(api(path))
        .set('Authorization', bearer(INGEST_TOKEN));
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body.error.name).toBe('NotAllowedError');
    }
    const run = await request(server)
      .post(api('/checks/pipeline/run'))
      .set('Authorization', bearer(INGEST_TOKEN));
    expect(run.status).toBe(403);
  });

  it('lets the read token read and refuses it everything that sends or changes', async () => {
    for (const path of [
      '/report?month=2026-11',
      '/collector-config',
      '/services',
      '/checks',
      SAMPLING_ROUTES.policies,
    ]) {
      const res = await request(server)
        .get(api(path))
        .set('Authorization', bearer(READ_TOKEN));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    const ingest = await request(server)
      .post(api('/v1/traces'))
      .set('Authorization', bearer(READ_TOKEN))
      .send(emptyOtlp);
    expect(ingest.status).toBe(403);
    const writes = [
      request(server).post(api('/checks/pipeline/run')),
      request(server)
        .put(
          api(
            samplingPath(SAMPLING_ROUTES.policy, {
              serviceName: 'checkout-api',
            }),
          ),
        )
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 1 } },
          reason: 'read token tries to write',
        }),
      request(server).delete(
        api(
          samplingPath(SAMPLING_ROUTES.policy, { serviceName: 'checkout-api' }),
        ),
      ),
      request(server).post(api(SAMPLING_ROUTES.overrides)).send({}),
      request(server).delete(api(SAMPLING_ROUTES.maintenance)),
    ];
    for (const write of writes) {
      const res = await write.set('Authorization', bearer(READ_TOKEN));
      expect(res.status).toBe(403);
    }
  });

  it('refuses an external token with neither subject on every authenticated route', async () => {
    for (const [method, path] of [
      ['get', '/report'],
      ['get', '/services'],
      ['post', '/v1/traces'],
    ] as const) {
      const res = await request(server)
        [method](api(path))
        .set('Authorization', bearer(OTHER_TOKEN))
        .send(emptyOtlp);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
  });

  it('keeps unauthenticated routes open whatever token comes along', async () => {
    for (const token of [INGEST_TOKEN, READ_TOKEN]) {
      const res = await request(server)
        .get(api('/sampling?service=checkout-api'))
        .set('Authorization', bearer(token));
      expect(res.status).toBe(200);
      const health = await request(server)
        .get(api('/health'))
        .set('Authorization', bearer(token));
      expect(health.status).toBe(200);
    }
    const metrics = await request(server).get(api('/metrics'));
    expect(metrics.status).toBe(200);
  });

  it('has /metrics need credentials with tracingHealth.metrics.requireAuth', async () => {
    const guarded = await startBackend({ metrics: { requireAuth: true } });
    expect((await request(guarded).get(api('/metrics'))).status).toBe(401);
    const read = await request(guarded)
      .get(api('/metrics'))
      .set('Authorization', bearer(READ_TOKEN));
    expect(read.status).toBe(200);
    expect(read.text).toContain('tracing_health_');
    const ingest = await request(guarded)
      .get(api('/metrics'))
      .set('Authorization', bearer(INGEST_TOKEN));
    expect(ingest.status).toBe(403);
  });
});

describe('createAccessMiddleware', () => {
  const app = express().use(
    createAccessMiddleware({
      auth: mockServices.auth({ pluginId: 'tracing-health' }),
      httpAuth: mockServices.httpAuth({ pluginId: 'tracing-health' }),
      access: readAccessConfig(mockServices.rootConfig()),
      unauthenticatedPaths: ['/health'],
    }),
    (req: express.Request, res: express.Response) => {
      res.json({ reached: `${req.method} ${req.path}` });
    },
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );

  it('leaves users and backend plugins to the routes', async () => {
    const headers = [
      mockCredentials.user.header('user:default/alice'),
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('plugin:catalog'),
        targetPluginId: 'tracing-health',
      }),
    ];
    for (const header of headers) {
      for (const method of ['get', 'post', 'put', 'delete'] as const) {
        const res = await request(app)
          [method]('/sampling/policies/x')
          .set('Authorization', header);
        expect(res.status).toBe(200);
      }
    }
  });

  it('refuses external subjects outside their use, and no token at all goes on to the routes', async () => {
    const external = (subject: string) =>
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(subject),
        targetPluginId: 'tracing-health',
      });
    const ingest = external('tracing-ingest');
    const read = external('tracing-read');
    expect(
      (await request(app).post('/v1/traces').set('Authorization', ingest))
        .status,
    ).toBe(200);
    expect(
      (await request(app).get('/report').set('Authorization', ingest)).status,
    ).toBe(403);
    expect(
      (await request(app).get('/report').set('Authorization', read)).status,
    ).toBe(200);
    expect(
      (await request(app).head('/report').set('Authorization', read)).status,
    ).toBe(200);
    expect(
      (await request(app).post('/v1/traces').set('Authorization', read)).status,
    ).toBe(403);
    expect(
      (await request(app).patch('/anything').set('Authorization', read)).status,
    ).toBe(403);
    expect(
      (await request(app).get('/health').set('Authorization', ingest)).status,
    ).toBe(200);
    expect((await request(app).get('/report')).status).toBe(200);
  });
});
