import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityDependenciesResponse,
  FleetDependenciesResponse,
} from '@internal/plugin-tracing-health-common';
import { KeyValue, ServiceGraph, SpanBatch } from '@internal/tracing-pipeline';
import knexFactory, { Knex } from 'knex';
import { Registry } from 'prom-client';
import request from 'supertest';
import { migrateDatabase } from '../database/migrateDatabase';
import { CatalogServices } from '../services/CatalogServices';
import { span, TestSpan } from '../coverage/testSpans';
import { createDependenciesRouter } from './createDependenciesRouter';
import { DependenciesService } from './DependenciesService';
import { ServiceGraphRollups } from './ServiceGraphRollups';
import { ServiceGraphRollupStore } from './ServiceGraphRollupStore';

jest.setTimeout(60_000);

const T0 = Date.parse('2026-01-01T00:00:10Z');
const MIN = 60_000;

type GraphSpan = TestSpan & { attrs?: Record<string, string> };

function batch(byService: Record<string, GraphSpan[]>): SpanBatch {
  const resourceSpans = Object.entries(byService).map(([service, spans]) => ({
    resource: {
      attributes: [{ key: 'service.name', value: { stringValue: service } }],
    },
    scopeSpans: [
      {
        scope: { name: 'test' },
        spans: spans.map(s => ({
          ...span(s),
          attributes: Object.entries(s.attrs ?? {}).map(
            ([key, v]): KeyValue => ({ key, value: { stringValue: v } }),
          ),
        })),
      },
    ],
  }));
  const spanCount = Object.values(byService).reduce((n, s) => n + s.length, 0);
  return { resourceSpans, spanCount, bytes: spanCount * 100 };
}

/**
 * web → orders: 2 paired calls, one failed. web → payments-legacy: not traced (virtual node).
 * web → billing: billing sends spans but never joins web's traces (it does not extract).
 * ledger: a server span whose caller never sends its span.
 */
function traffic(graph: ServiceGraph, round: string) {
  graph.record(
    batch({
      web: [
        { trace: `${round}A`, span: 'c1', kind: 'CLIENT', ms: 20 },
        { trace: `${round}B`, span: 'c2', kind: 'CLIENT', ms: 20 },
        {
          trace: `${round}C`,
          span: 'c3',
          kind: 'CLIENT',
          ms: 300,
          attrs: { 'peer.service': 'payments-legacy' },
        },
        {
          trace: `${round}D`,
          span: 'c4',
          kind: 'CLIENT',
          ms: 8,
          attrs: { 'peer.service': 'billing' },
        },
      ],
      orders: [
        { trace: `${round}A`, span: 's1', parent: 'c1', ms: 10 },
        {
          trace: `${round}B`,
          span: 's2',
          parent: 'c2',
          ms: 10,
          status: 'ERROR',
        },
      ],
      billing: [{ trace: `${round}E`, span: 'b1', ms: 5 }],
      ledger: [{ trace: `${round}F`, span: 'l1', parent: 'gone', ms: 5 }],
    }),
  );
}

function newProcess(knex: Knex, clock: { now(): number }, maxRows = 10_000) {
  const graph = new ServiceGraph({
    registry: new Registry(),
    clock,
    waitMs: 10_000,
  });
  const store = new ServiceGraphRollupStore(knex);
  const rollups = new ServiceGraphRollups({
    store,
    graph,
    clock,
    windowMinutes: 15,
    retentionHours: 2,
    maxRows,
  });
  return { graph, store, rollups };
}

const component = (
  name: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'tracing-health/enabled': 'true', ...annotations },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});

const ENTITIES = [
  component('web'),
  component('orders'),
  component('billing'),
  // Called by web as peer.service "payments-legacy", never traced.
  component('payments', { 'tracing-health/service-name': 'payments-legacy' }),
];

describe('service graph rollups', () => {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });

  it.each(databases.eachSupportedId())(
    'writes edges per minute, sums replicas and keeps the window (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      let now = T0;
      const clock = { now: () => now };
      const a = newProcess(knex, clock);
      const b = newProcess(knex, clock);
      await a.rollups.start();
      await b.rollups.start();
      traffic(a.graph, 'a');
      traffic(b.graph, 'b');
      now = T0 + 10_000; // the halves' wait ends
      await a.rollups.flush();
      await b.rollups.flush();
      // A second flush of the same minute adds only what is new.
      a.graph.record(
        batch({
          web: [{ trace: 'x', span: 'c', kind: 'CLIENT', ms: 1 }],
          orders: [{ trace: 'x', span: 's', parent: 'c', ms: 1 }],
        }),
      );
      now = T0 + 20_000;
      await a.rollups.flush();

      const rows = await a.store.rows(0);
      expect(
        rows.every(r => r.bucketStartMs === Date.parse('2026-01-01T00:00:00Z')),
      ).toBe(true);
      const window = a.rollups.window();
      const edge = (client: string, server: string) =>
        window.edges.find(e => e.client === client && e.server === server);
      expect(edge('web', 'orders')).toMatchObject({
        connectionType: '',
        requests: 5,
        failed: 2,
        broken: 0,
      });
      expect(edge('web', 'payments-legacy')).toMatchObject({
        connectionType: 'virtual_node',
        requests: 2,
        failed: 0,
      });
      expect(edge('web', 'billing')).toMatchObject({
        connectionType: '',
        requests: 0,
        broken: 2,
      });
      expect(window.orphanServerSpans.get('ledger')).toBe(2);
      expect(window.seconds).toBe(20);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'applies retention and the row bound (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      const p = newProcess(knex, { now: () => T0 }, 3);
      const row = (client: string, bucketStartMs: number) => ({
        client,
        server: 's',
        connectionType: '' as const,
        bucketStartMs,
        instanceId: 'seed',
        requests: 1,
        failed: 0,
        broken: 0,
        orphanServerSpans: 0,
        durationSumSeconds: 0,
        durationCounts: [],
      });
      await p.store.upsert([
        row('old', T0 - 121 * MIN),
        ...[1, 2, 3, 4].map(i => row(`c${i}`, T0 - i * MIN)),
      ]);
      await p.rollups.start();
      await p.rollups.flush();
      expect((await p.store.rows(0)).map(r => r.client).sort()).toEqual([
        'c1',
        'c2',
        'c3',
      ]);
      await knex.destroy();
    },
  );
});

describe('dependency routes', () => {
  async function setup() {
    let now = T0;
    const clock = { now: () => now };
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await migrateDatabase(knex);
    const p = newProcess(knex, clock);
    await p.rollups.start();
    traffic(p.graph, 'r');
    now = T0 + 30_000;
    await p.rollups.flush();
    const { server } = await startTestBackend({
      features: [
        catalogServiceMock.factory({ entities: ENTITIES }),
        createBackendPlugin({
          pluginId: 'tracing-health',
          register(env) {
            env.registerInit({
              deps: {
                httpRouter: coreServices.httpRouter,
                httpAuth: coreServices.httpAuth,
                catalog: catalogServiceRef,
              },
              async init({ httpRouter, httpAuth, catalog }) {
                const dependencies = new DependenciesService({
                  rollups: p.rollups,
                  catalog,
                  catalogServices: new CatalogServices(catalog),
                  windowMinutes: 15,
                  clock,
                });
                httpRouter.use(
                  createDependenciesRouter({ httpAuth, dependencies }),
                );
              },
            });
          },
        }),
      ],
    });
    return { server, knex };
  }

  it('serves an entity its callers and callees with rates, propagation health and the likely side', async () => {
    const { server, knex } = await setup();
    const web: EntityDependenciesResponse = (
      await request(server)
        .get('/api/tracing-health/dependencies/entity/default/component/web')
        .expect(200)
    ).body;
    expect(web.serviceName).toBe('web');
    expect(web.upstream).toEqual([]);
    const byServer = Object.fromEntries(web.downstream.map(e => [e.server, e]));
    expect(byServer.billing).toMatchObject({
      propagation: 'broken',
      likelyBrokenSide: 'server',
      brokenRatio: 1,
      serverEntityRef: 'component:default/billing',
    });
    expect(byServer.billing.brokenPerSecond).toBeCloseTo(1 / 30, 9);
    expect(byServer.orders).toMatchObject({
      propagation: 'ok',
      errorRatio: 0.5,
      virtual: false,
    });
    expect(byServer.orders.requestsPerSecond).toBeCloseTo(2 / 30, 9);
    expect(byServer.orders.p95Seconds).toBeGreaterThan(0.0075);
    expect(byServer.orders.p95Seconds).toBeLessThanOrEqual(0.01);
    expect(byServer['payments-legacy']).toMatchObject({
      virtual: true,
      propagation: 'not-traced',
      serverEntityRef: 'component:default/payments',
    });

    // The component called as "payments-legacy" learns that it is called but never traced.
    const payments: EntityDependenciesResponse = (
      await request(server)
        .get(
          '/api/tracing-health/dependencies/entity/default/component/payments',
        )
        .expect(200)
    ).body;
    expect(payments.calledButNotTraced).toBe(true);
    expect(payments.upstream).toEqual([
      expect.objectContaining({ client: 'web', virtual: true }),
    ]);

    const orders: EntityDependenciesResponse = (
      await request(server)
        .get('/api/tracing-health/dependencies/entity/default/component/orders')
        .expect(200)
    ).body;
    expect(orders.calledButNotTraced).toBe(false);
    expect(orders.upstream.map(e => e.client)).toEqual(['web']);
    await knex.destroy();
  });

  it('lists the worst edges and the uninstrumented dependencies of the fleet', async () => {
    const { server, knex } = await setup();
    const fleet: FleetDependenciesResponse = (
      await request(server)
        .get('/api/tracing-health/dependencies/fleet?limit=5')
        .expect(200)
    ).body;
    expect(fleet.worstEdges.map(e => `${e.client}->${e.server}`)).toEqual([
      'web->billing',
      'web->orders',
    ]);
    expect(fleet.uninstrumented).toEqual([
      expect.objectContaining({
        name: 'payments-legacy',
        entityRef: 'component:default/payments',
        callers: ['web'],
      }),
    ]);
    expect(fleet.totalEdges).toBe(3);
    await knex.destroy();
  });

  it('rejects a bad limit with 400, unknown entities with 404 and anonymous requests with 401', async () => {
    const { server, knex } = await setup();
    const status = async (path: string, header?: string) => {
      const req = request(server).get(
        `/api/tracing-health/dependencies${path}`,
      );
      return (await (header ? req.set('Authorization', header) : req)).status;
    };
    expect(await status('/fleet?limit=0')).toBe(400);
    expect(await status('/fleet?limit=abc')).toBe(400);
    expect(await status('/entity/default/component/nope')).toBe(404);
    expect(await status('/fleet', mockCredentials.none.header())).toBe(401);
    expect(
      await status(
        '/entity/default/component/web',
        mockCredentials.none.header(),
      ),
    ).toBe(401);
    await knex.destroy();
  });
});
