import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  COVERAGE_METRICS,
  EntityCoverage,
  FleetCoverageResponse,
} from '@internal/plugin-tracing-health-common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory from 'knex';
import { Registry } from 'prom-client';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { migrateDatabase } from '../database/migrateDatabase';
import { CatalogServices } from '../services/CatalogServices';
import { CoverageGauges } from './CoverageGauges';
import { CoverageRollups } from './CoverageRollups';
import { CoverageRollupStore } from './CoverageRollupStore';
import { CoverageService } from './CoverageService';
import { createCoverageRouter } from './createCoverageRouter';
import { readCoverageConfig } from './readCoverageConfig';
import { ConfigReader } from '@backstage/config';
import { SpanMetrics } from './spanMetricsTypes';
import { batch, TestSpan } from './testSpans';

const exampleEntities = parseAllDocuments(
  readFileSync(
    resolve(__dirname, '../../../../examples/entities.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJSON() as Entity)
  .filter(Boolean);

/** The service names the example components emit; `shipping` is deliberately left silent. */
const EMITTING = [
  'storefront',
  'checkout',
  'payments-api',
  'billing',
  'catalog-api',
  'search',
  'orders',
  'inventory-svc',
  'auth-gateway',
  'legacy-cron',
];

const EXPECTED_STATES: Record<string, string> = {
  'storefront-web': 'traced',
  checkout: 'traced',
  payments: 'traced',
  billing: 'traced',
  'product-catalog': 'traced',
  search: 'traced',
  orders: 'traced',
  inventory: 'traced',
  'auth-gateway': 'traced',
  shipping: 'silent',
  'fraud-detection': 'untraced',
  recommendations: 'untraced',
  notifications: 'untraced',
  'legacy-reports': 'untraced',
};

const T0 = Date.parse('2026-03-01T12:00:05Z');

async function setup() {
  let now = T0;
  const clock = { now: () => now };
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await migrateDatabase(knex);
  const registry = new Registry();
  const config = readCoverageConfig(
    new ConfigReader({ tracingHealth: { silentAfterMinutes: 10 } }),
  );
  const spanMetrics = new SpanMetrics({
    registry,
    clock,
    completenessWindowMs: 30_000,
  });
  const rollups = new CoverageRollups({
    store: new CoverageRollupStore(knex),
    spanMetrics,
    clock,
    windowMinutes: config.windowMinutes,
    retentionHours: config.retentionHours,
    maxRowsPerService: config.maxRowsPerService,
  });
  await rollups.start();
  let coverage: CoverageService | undefined;
  const { server } = await startTestBackend({
    features: [
      catalogServiceMock.factory({ entities: exampleEntities }),
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
              coverage = new CoverageService({
                catalogServices: new CatalogServices(catalog),
                catalog,
                rollups,
                config,
                clock,
              });
              httpRouter.use(
                createCoverageRouter({
                  httpAuth,
                  coverage,
                  retentionHours: 48,
                }),
              );
            },
          });
        },
      }),
    ],
  });
  return {
    server,
    spanMetrics,
    rollups,
    registry,
    coverage: coverage!,
    at(ms: number) {
      now = T0 + ms;
    },
    async fleet(query = ''): Promise<FleetCoverageResponse> {
      const res = await request(server).get(
        `/api/tracing-health/coverage/fleet${query}`,
      );
      expect(res.status).toBe(200);
      return res.body;
    },
  };
}

/** One complete two-span trace per emitting service, the first span of each an error. */
function demoTraffic(
  services: string[],
  round: number,
): Record<string, TestSpan[]> {
  return Object.fromEntries(
    services.map(s => [
      s,
      [
        {
          trace: `${s}-${round}`,
          span: 'root',
          ms: 120,
          status: 'ERROR' as const,
        },
        {
          trace: `${s}-${round}`,
          span: 'child',
          parent: 'root',
          kind: 'CLIENT' as const,
          ms: 30,
        },
      ],
    ]),
  );
}

const statesOf = (items: EntityCoverage[]) =>
  Object.fromEntries(items.map(i => [i.name, i.state]));

describe('coverage routes over the example catalog', () => {
  it('gives every example component its state, the unregistered names and fleet totals', async () => {
    const t = await setup();
    t.spanMetrics.record(batch(demoTraffic(EMITTING, 1)));
    t.at(59_000);
    await t.rollups.flush();

    const fleet = await t.fleet();
    expect(statesOf(fleet.items)).toEqual(EXPECTED_STATES);
    expect(fleet.unregistered.map(u => u.serviceName)).toEqual(['legacy-cron']);
    expect(fleet.totals).toMatchObject({
      components: 14,
      optedIn: 10,
      optedInRatio: 10 / 14,
      optedInEmitting: 9,
      optedInEmittingRatio: 9 / 10,
      states: { traced: 9, silent: 1, untraced: 4, unregistered: 1 },
      completeness: 1,
      judgedTraces: 10,
    });
    expect(fleet.totals.worstOffenders).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/shipping',
        reason: 'silent',
      }),
    ]);

    const payments = fleet.items.find(i => i.name === 'payments')!;
    expect(payments).toMatchObject({
      serviceName: 'payments-api',
      optedIn: true,
      tier: 'critical',
      owner: 'payments-team',
    });
    expect(payments.lastSeen).toBe(new Date(T0).toISOString());
    expect(payments.figures).toMatchObject({
      errorRatio: 0.5,
      completeness: 1,
      judgedTraces: 1,
    });
    expect(payments.figures.tracesPerSecond).toBeCloseTo(1 / 59, 12);
    expect(payments.figures.requestsPerSecond).toBeCloseTo(1 / 59, 12);
    expect(payments.figures.p95Seconds).toBeGreaterThan(0.1);
    expect(payments.figures.p95Seconds).toBeLessThanOrEqual(0.15);
    expect(fleet.items.find(i => i.name === 'shipping')!.figures).toEqual({
      spansPerSecond: 0,
      requestsPerSecond: 0,
      tracesPerSecond: 0,
      judgedTraces: 0,
      orphanSpans: 0,
    });
  });

  it('turns opted-in services silent after silentAfterMinutes and exports the states as gauges', async () => {
    const t = await setup();
    t.spanMetrics.record(batch(demoTraffic(EMITTING, 1)));
    t.at(10 * 60_000);
    // Exactly silentAfterMinutes since the last span: still traced.
    expect(statesOf((await t.fleet()).items).checkout).toBe('traced');
    t.spanMetrics.record(batch(demoTraffic(['storefront'], 2)));
    t.at(10 * 60_000 + 1);
    const fleet = await t.fleet('?state=silent');
    expect(fleet.items.map(i => i.name).sort()).toEqual([
      'auth-gateway',
      'billing',
      'checkout',
      'inventory',
      'orders',
      'payments',
      'product-catalog',
      'search',
      'shipping',
    ]);
    expect(fleet.unregistered).toEqual([]);
    expect(fleet.totals.states).toEqual({
      traced: 1,
      silent: 9,
      untraced: 4,
      unregistered: 1,
    });

    const gauges = new CoverageGauges(t.registry);
    gauges.update(await t.coverage.all(mockCredentials.service()));
    const text = await t.registry.metrics();
    expect(text).toContain(`${COVERAGE_METRICS.services}{state="silent"} 9`);
    expect(text).toContain(
      `${COVERAGE_METRICS.services}{state="unregistered"} 1`,
    );
    expect(text).toContain(
      `${COVERAGE_METRICS.serviceState}{entity_ref="component:default/shipping",service="shipping",owner="fulfilment-team",system="fulfilment",state="silent"} 1`,
    );
    expect(text).toContain(
      `${COVERAGE_METRICS.serviceState}{entity_ref="component:default/shipping",service="shipping",owner="fulfilment-team",system="fulfilment",state="traced"} 0`,
    );
    expect(text).toContain(
      `${COVERAGE_METRICS.serviceState}{entity_ref="",service="legacy-cron",owner="",system="",state="unregistered"} 1`,
    );
  });

  it('filters by owner, system and state, and sorts', async () => {
    const t = await setup();
    t.spanMetrics.record(batch(demoTraffic(EMITTING, 1)));
    t.spanMetrics.record(batch(demoTraffic(['checkout', 'checkout'], 2)));
    t.at(59_000);
    await t.rollups.flush();

    const payments = await t.fleet('?owner=payments-team&sort=name&order=desc');
    expect(payments.items.map(i => i.name)).toEqual([
      'payments',
      'fraud-detection',
      'checkout',
      'billing',
    ]);
    expect(payments.unregistered).toEqual([]);
    expect(payments.totals).toMatchObject({
      components: 4,
      optedIn: 3,
      optedInEmitting: 3,
    });

    const shop = await t.fleet(
      '?system=system:default/shop&state=traced,untraced&sort=tracesPerSecond&order=desc',
    );
    expect(shop.items.map(i => i.name)).toEqual([
      'checkout',
      'product-catalog',
      'search',
      'storefront-web',
      'recommendations',
    ]);

    const unregistered = await t.fleet('?state=unregistered');
    expect(unregistered.items).toEqual([]);
    expect(unregistered.unregistered.map(u => u.serviceName)).toEqual([
      'legacy-cron',
    ]);
  });

  it('answers an entity with its time series', async () => {
    const t = await setup();
    t.spanMetrics.record(batch(demoTraffic(['checkout'], 1)));
    t.at(50_000);
    await t.rollups.flush();
    const res = await request(t.server).get(
      '/api/tracing-health/coverage/entity/default/component/checkout?hours=2',
    );
    expect(res.status).toBe(200);
    expect(res.body.coverage).toMatchObject({
      entityRef: 'component:default/checkout',
      state: 'traced',
    });
    expect(res.body.series).toMatchObject({
      stepMinutes: 1,
      to: '2026-03-01T12:01:00.000Z',
    });
    expect(res.body.series.points).toHaveLength(120);
    expect(res.body.series.points[119]).toMatchObject({
      time: '2026-03-01T12:00:00.000Z',
      spans: 2,
      errorSpans: 1,
      traces: 1,
      errorRatio: 0.5,
      completeness: 1,
    });
    const shipping = await request(t.server).get(
      '/api/tracing-health/coverage/entity/default/component/shipping',
    );
    expect(shipping.body.coverage.state).toBe('silent');
    expect(shipping.body.series.points).toHaveLength(360);
    expect(shipping.body.series.stepMinutes).toBe(4);
  });

  it('rejects bad input with 400, unknown entities with 404 and anonymous requests with 401', async () => {
    const t = await setup();
    const get = (path: string) =>
      request(t.server).get(`/api/tracing-health/coverage${path}`);
    const bad = await get('/fleet?state=gone');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /state.*must be one of traced, silent, untraced, unregistered/,
    );
    expect((await get('/fleet?sort=color')).status).toBe(400);
    expect((await get('/fleet?order=up')).status).toBe(400);
    for (const hours of ['0', '49', '1.5', 'abc']) {
      const res = await get(
        `/entity/default/component/checkout?hours=${hours}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^hours: /);
    }
    expect((await get('/entity/default/component/nope')).status).toBe(404);
    const anonymous = await get('/fleet').set(
      'Authorization',
      mockCredentials.none.header(),
    );
    expect(anonymous.status).toBe(401);
  });
});
