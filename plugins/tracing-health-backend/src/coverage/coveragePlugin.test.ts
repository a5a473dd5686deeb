import {
  coreServices,
  createServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { COVERAGE_METRICS } from '@internal/plugin-tracing-health-common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { migrateDatabase } from '../database/migrateDatabase';
import { tracingHealthPlugin } from '../plugin';
import { CoverageRollupStore } from './CoverageRollupStore';
import { bucketStartOf, emptyCounts, RollupRow } from './rollupRow';

jest.setTimeout(60_000);

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      annotations: { 'tracing-health/enabled': 'true' },
    },
    spec: {
      type: 'service',
      owner: 'group:default/payments-team',
      system: 'shop',
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'shipping',
      annotations: { 'tracing-health/enabled': 'true' },
    },
    spec: { type: 'service', owner: 'group:default/fulfilment-team' },
  },
];

describe('tracing-health backend: coverage over a restart', () => {
  let dir: string;
  let seedKnex: Knex;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'coverage-plugin-'));
    seedKnex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'tracing-health.sqlite') },
      useNullAsDefault: true,
    });
  });

  afterEach(async () => {
    await seedKnex.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  // A mock scheduler whose tasks run only when triggered, so the test decides when a flush happens.
  let scheduler: SchedulerService;
  const start = () => {
    scheduler = mockServices.scheduler();
    return startTestBackend({
      features: [
        tracingHealthPlugin,
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: {
                client: 'better-sqlite3',
                connection: { directory: dir },
              },
            },
            tracingHealth: {
              coverage: { flushIntervalSeconds: 1, retentionHours: 48 },
            },
          },
        }),
      ],
    });
  };

  it('serves rollups written before the start, prunes expired ones and keeps the rest across a restart', async () => {
    // Rows an earlier process wrote: one a minute ago, one beyond the 48 h retention.
    await migrateDatabase(seedKnex);
    const lastMinute = bucketStartOf(Date.now()) - 60_000;
    const seeded = (bucketStartMs: number): RollupRow => ({
      service: 'checkout',
      bucketStartMs,
      instanceId: 'earlier-process',
      ...emptyCounts(19),
      spans: 120,
      errorSpans: 6,
      rootSpans: 60,
      entrySpans: 90,
      completeTraces: 57,
      incompleteTraces: 3,
      lastSeenMs: bucketStartMs + 30_000,
    });
    const store = new CoverageRollupStore(seedKnex);
    await store.upsert([
      seeded(lastMinute),
      seeded(lastMinute - 49 * 3_600_000),
    ]);

    const first = await start();
    const fleet = await request(first.server).get(
      '/api/tracing-health/coverage/fleet',
    );
    expect(fleet.status).toBe(200);
    const states = Object.fromEntries(
      fleet.body.items.map((i: any) => [i.name, i.state]),
    );
    expect(states).toEqual({ checkout: 'traced', shipping: 'silent' });
    expect(fleet.body.items[0]).toMatchObject({
      lastSeen: new Date(lastMinute + 30_000).toISOString(),
      figures: { errorRatio: 0.05, completeness: 0.95 },
    });

    await scheduler.triggerTask('tracing-health-coverage-rollup');
    expect((await store.rows({ fromMs: 0 })).map(r => r.bucketStartMs)).toEqual(
      [lastMinute],
    );
    const metrics = (
      await request(first.server).get('/api/tracing-health/metrics')
    ).text;
    expect(metrics).toContain(`${COVERAGE_METRICS.services}{state="silent"} 1`);
    expect(metrics).toContain(`${COVERAGE_METRICS.services}{state="traced"} 1`);
    expect(metrics).toContain(
      `${COVERAGE_METRICS.completeness}{service="checkout"} 0.95`,
    );
    await first.stop();

    const second = await start();
    const entity = await request(second.server).get(
      '/api/tracing-health/coverage/entity/default/component/checkout?hours=1',
    );
    expect(entity.status).toBe(200);
    expect(entity.body.coverage).toMatchObject({
      state: 'traced',
      lastSeen: new Date(lastMinute + 30_000).toISOString(),
    });
    const point = entity.body.series.points.find((p: any) => p.spans > 0);
    expect(point).toMatchObject({
      time: new Date(lastMinute).toISOString(),
      spans: 120,
      traces: 60,
      requests: 90,
      tracesPerSecond: 1,
      requestsPerSecond: 1.5,
      errorRatio: 0.05,
      completeness: 0.95,
    });
    await second.stop();
  });
});
