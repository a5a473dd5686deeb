import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  COVERAGE_SORT_KEYS,
  TRACING_HEALTH_PLUGIN_ID,
} from '@internal/plugin-tracing-health-common';
import { readFileSync } from 'node:fs';
import { Server } from 'node:http';
import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import request from 'supertest';
import YAML from 'yaml';
import { pluginRoutes, routesOf } from '../__testUtils__/pluginRoutes';
import { createClusterRouter } from '../cluster/createClusterRouter';
import { TWO_TIER_TIERS } from '../sampling/collector/renderTwoTierCollectorConfig';
import { tracingHealthPlugin } from '../plugin';
import { specOperations } from './createOpenApiValidation';
import {
  OPENAPI_CLIENT_FILE,
  renderOpenApiClient,
} from './renderOpenApiClient';
import { spec } from './openapi.generated';

const BASE = `/api/${TRACING_HEALTH_PLUGIN_ID}`;
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('src/schema/openapi.yaml, the API contract', () => {
  let server: Server;
  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        tracingHealthPlugin,
        catalogServiceMock.factory({ entities: [] }),
        // the contract needs no worker threads: the pipeline runs on the event loop
        mockServices.rootConfig.factory({
          data: { tracingHealth: { pipeline: { workers: 0 } } },
        }),
      ],
    }));
  }, 60_000);

  it('is what openapi.generated.ts serves (run `yarn generate:openapi` after editing it)', () => {
    const yaml = YAML.parse(
      readFileSync(resolve(__dirname, 'openapi.yaml'), 'utf8'),
    );
    expect(spec).toEqual(yaml);
  });

  it("is what the frontend's generated client calls (run `yarn generate:openapi` after editing it)", () => {
    const client = readFileSync(
      resolve(__dirname, '..', '..', OPENAPI_CLIENT_FILE),
      'utf8',
    );
    expect(client).toBe(renderOpenApiClient(spec));
    // one method per operation but the OTLP streams
    const raw = specOperations().filter(o => o.rawBody).length;
    expect(client.match(/^ {2}async \w+\(/gm)).toHaveLength(
      specOperations().length - raw,
    );
  });

  it('describes every route the plugin registers, and nothing it does not serve', () => {
    // The replica-to-replica route exists only with tracingHealth.cluster: read it off its router.
    const cluster = createClusterRouter({
      auth: {} as any,
      httpAuth: {} as any,
      pipeline: { handle: jest.fn() },
      workers: 0,
      isMember: () => false,
      registry: new Registry(),
    });
    const served = [
      ...pluginRoutes(server),
      ...routesOf((cluster as any).stack),
    ].map(key);
    const described = specOperations().map(o =>
      key({ method: o.method, path: o.expressPath }),
    );
    expect(served.length).toBeGreaterThan(30);
    expect([...new Set(served)].sort()).toEqual([...described].sort());
  });

  it('declares the enums of -common and the routers, not copies that drift', () => {
    const param = (path: string, name: string) =>
      (spec.paths as any)[path].get.parameters.find(
        (p: { name: string }) => p.name === name,
      ).schema.enum;
    expect(param('/coverage/fleet', 'sort')).toEqual([...COVERAGE_SORT_KEYS]);
    expect(param('/collector-config', 'tier')).toEqual([...TWO_TIER_TIERS]);
  });

  it('answers every request it rejects with one 400 shape, each problem by path', async () => {
    const user = mockCredentials.user.header();
    const agent = request(server);
    const rejected = [
      agent.get(`${BASE}/coverage/entity/default/component/x?hours=abc`),
      agent.get(`${BASE}/coverage/fleet?sort=color`),
      agent.get(`${BASE}/dependencies/fleet?limit=-1`),
      agent.get(`${BASE}/collector-config?layout=three-tier`),
      agent.get(`${BASE}/sampling-history?limit=ten`),
      agent.get(`${BASE}/report?format=pdf&month=2026-01`),
      agent.post(`${BASE}/policies/checkout/boost`).send({
        durationMinutes: 'ten',
        reason: 'x',
      }),
      agent
        .put(`${BASE}/budgets/${encodeURIComponent('group:default/team')}`)
        .send({
          spansPerSecond: 'many',
          reason: 'x',
        }),
      agent.post(`${BASE}/overrides`).send({ action: 'explode' }),
    ];
    const paths: string[] = [];
    for (const pending of rejected) {
      const res = await pending.set('Authorization', user);
      const url = (res as any).req.path;
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.body).toEqual({
        error: { name: 'InputError', message: expect.any(String) },
        errors: [{ path: expect.any(String), message: expect.any(String) }],
        request: { method: expect.any(String), url: expect.any(String) },
        response: { statusCode: 400 },
      });
      expect(res.body.error.message).toBe(
        `${res.body.errors[0].path}: ${res.body.errors[0].message}`,
      );
      paths.push(res.body.errors[0].path);
    }
    expect(paths).toEqual([
      'hours',
      'sort',
      'limit',
      'layout',
      'limit',
      'format',
      'durationMinutes',
      'spansPerSecond',
      'action',
    ]);
    // the Jaeger strategy route is unauthenticated, and validated the same way
    const jaeger = await agent.get(`${BASE}/sampling`);
    expect(jaeger.status).toBe(400);
    expect(jaeger.body.errors).toEqual([
      { path: 'service', message: expect.any(String) },
    ]);
  });

  it('answers a rule a handler checks beyond the spec in the same 400 shape', async () => {
    const user = mockCredentials.user.header();
    const agent = request(server);
    const tooMany = await agent
      .get(`${BASE}/dependencies/fleet?limit=500`)
      .set('Authorization', user);
    const noReason = await agent
      .put(`${BASE}/policies/checkout`)
      .set('Authorization', user)
      .send({ policy: { strategy: { type: 'probabilistic', rate: 0.5 } } });
    const notJson = await agent
      .post(`${BASE}/overrides`)
      .set('Authorization', user)
      .set('Content-Type', 'application/json')
      .send('{"scope": ');
    for (const [res, path] of [
      [tooMany, 'limit'],
      [noReason, 'reason'],
      [notJson, ''],
    ] as const) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { name: 'InputError', message: expect.any(String) },
        errors: [{ path, message: expect.any(String) }],
        request: { method: expect.any(String), url: expect.any(String) },
        response: { statusCode: 400 },
      });
    }
  });

  it('lets valid requests through to the routers unchanged', async () => {
    const user = mockCredentials.user.header();
    const health = await request(server).get(`${BASE}/health?probe=1`);
    expect([health.status, health.body]).toEqual([200, { status: 'ok' }]);
    const fleet = await request(server)
      .get(`${BASE}/dependencies/fleet?limit=5`)
      .set('Authorization', user);
    expect(fleet.status).toBe(200);
  });
});
