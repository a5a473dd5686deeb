import { TestDatabases } from '@backstage/backend-test-utils';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { Knex } from 'knex';
import { Registry } from 'prom-client';
import { migrateDatabase } from '../database/migrateDatabase';
import { CoverageRollups, seriesStepMinutes } from './CoverageRollups';
import { CoverageRollupStore } from './CoverageRollupStore';
import { emptyCounts, RollupRow } from './rollupRow';
import { SpanMetrics } from './spanMetricsTypes';
import { batch } from './testSpans';

jest.setTimeout(60_000);

const T0 = Date.parse('2026-01-01T00:00:10Z');
const MIN = 60_000;

function newProcess(
  knex: Knex,
  clock: { now(): number },
  extra: Partial<{
    retentionHours: number;
    maxRowsPerService: number;
    instanceId: string;
  }> = {},
) {
  const spanMetrics = new SpanMetrics({
    registry: new Registry(),
    clock,
    completenessWindowMs: 30_000,
  });
  const store = new CoverageRollupStore(knex);
  const rollups = new CoverageRollups({
    store,
    spanMetrics,
    clock,
    windowMinutes: 15,
    retentionHours: extra.retentionHours ?? 48,
    maxRowsPerService: extra.maxRowsPerService ?? 10_000,
    instanceId: extra.instanceId,
  });
  return { spanMetrics, store, rollups };
}

function row(service: string, bucketStartMs: number, spans: number): RollupRow {
  return {
    service,
    bucketStartMs,
    instanceId: 'seed',
    ...emptyCounts(19),
    spans,
    lastSeenMs: bucketStartMs,
  };
}

/** checkout: 3 spans (2 roots, 1 error) whose trace completes; payments: 1 orphan. */
function sendTraffic(spanMetrics: SpanMetrics) {
  spanMetrics.record(
    batch({
      checkout: [
        { trace: 'A', span: 'a1', ms: 100 },
        {
          trace: 'A',
          span: 'a2',
          parent: 'a1',
          kind: 'CLIENT',
          ms: 40,
          status: 'ERROR',
        },
        { trace: 'B', span: 'b1', ms: 20 },
      ],
      payments: [{ trace: 'C', span: 'c2', parent: 'c1', ms: 30 }],
    }),
  );
}

describe('CoverageRollups', () => {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });

  async function migrated(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    return knex;
  }

  it.each(databases.eachSupportedId())(
    'writes one-minute buckets, accumulates flushes of the same minute and computes window figures (%p)',
    async databaseId => {
      const knex = await migrated(databaseId);
      let now = T0;
      const clock = { now: () => now };
      const { spanMetrics, store, rollups } = newProcess(knex, clock);
      await rollups.start();

      sendTraffic(spanMetrics);
      // Seen, but not rolled up yet: not measured, rather than 0/s.
      expect(rollups.requestsPerSecond('payments')).toBeUndefined();
      now = T0 + 20_000; // 00:00:30
      await rollups.flush();
      spanMetrics.record(
        batch({ checkout: [{ trace: 'D', span: 'd1', ms: 5 }] }),
      );
      now = T0 + 45_000; // 00:00:55: windows of A, B, C ended
      await rollups.flush();

      const rows = await store.rows({ fromMs: 0 });
      const byService = Object.fromEntries(rows.map(r => [r.service, r]));
      expect(rows.map(r => r.bucketStartMs)).toEqual(
        rows.map(() => Date.parse('2026-01-01T00:00:00Z')),
      );
      expect(byService.checkout).toMatchObject({
        spans: 4,
        errorSpans: 1,
        rootSpans: 3,
        entrySpans: 3,
        completeTraces: 2,
        incompleteTraces: 0,
        lastSeenMs: T0 + 20_000,
      });
      // payments only receives calls: no trace starts there, but one request arrives.
      expect(byService.payments).toMatchObject({
        spans: 1,
        rootSpans: 0,
        entrySpans: 1,
        orphanSpans: 1,
        incompleteTraces: 1,
      });
      // The fleet row counts each trace once: A and B complete, C not (D still open).
      expect(byService['']).toMatchObject({
        completeTraces: 2,
        incompleteTraces: 1,
      });

      // 45 s observed since the process started.
      const checkout = rollups.windowFigures('checkout')!;
      expect(checkout.spansPerSecond).toBeCloseTo(4 / 45, 12);
      expect(checkout.tracesPerSecond).toBeCloseTo(3 / 45, 12);
      expect(checkout.errorRatio).toBe(0.25);
      expect(checkout.completeness).toBe(1);
      expect(checkout.p50Seconds).toBeGreaterThan(0.01);
      expect(checkout.p50Seconds).toBeLessThanOrEqual(0.025);
      expect(rollups.windowFigures('payments')).toMatchObject({
        completeness: 0,
        orphanSpans: 1,
        tracesPerSecond: 0,
      });
      expect(rollups.windowFigures('payments')!.requestsPerSecond).toBeCloseTo(
        1 / 45,
        12,
      );
      expect(rollups.fleetFigures()).toMatchObject({
        judgedTraces: 3,
        completeness: 2 / 3,
      });

      // As the checks' ServiceVolumeProvider.
      expect(rollups.tracesPerSecond('checkout')).toBeCloseTo(3 / 45, 12);
      expect(rollups.tracesPerSecond('payments')).toBe(0);
      expect(rollups.tracesPerSecond('never-seen')).toBeUndefined();
      expect(rollups.requestsPerSecond('payments')).toBeCloseTo(1 / 45, 12);
      expect(rollups.requestsPerSecond('never-seen')).toBeUndefined();
      expect(rollups.lastSeen('checkout')).toEqual(new Date(T0 + 20_000));
      expect(rollups.completeness('payments')).toBe(0);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'sums the rows of several replicas and applies the retention and size bounds (%p)',
    async databaseId => {
      const knex = await migrated(databaseId);
      let now = T0;
      const clock = { now: () => now };
      const a = newProcess(knex, clock, {
        retentionHours: 2,
        maxRowsPerService: 3,
      });
      const b = newProcess(knex, clock, {
        retentionHours: 2,
        maxRowsPerService: 3,
      });
      await a.rollups.start();
      await b.rollups.start();
      await a.store.upsert([
        row('old', T0 - 121 * MIN, 1),
        row('recent', T0 - 119 * MIN, 1),
        ...[1, 2, 3, 4, 5].map(i => row('busy', T0 - i * MIN, i)),
      ]);

      a.spanMetrics.record(batch({ api: [{ trace: 'X', span: 'x', ms: 1 }] }));
      b.spanMetrics.record(
        batch({
          api: [
            { trace: 'Y', span: 'y', ms: 1 },
            { trace: 'Z', span: 'z', ms: 1 },
          ],
        }),
      );
      now = T0 + 30_000;
      await a.rollups.flush();
      await b.rollups.flush();

      const rows = await a.store.rows({ fromMs: 0 });
      const services = rows.map(r => r.service);
      expect(services).not.toContain('old');
      expect(services).toContain('recent');
      expect(
        rows
          .filter(r => r.service === 'busy')
          .map(r => r.spans)
          .sort(),
      ).toEqual([1, 2, 3]);
      expect(rows.filter(r => r.service === 'api')).toHaveLength(2);
      expect(b.rollups.windowFigures('api')!.spansPerSecond).toBeCloseTo(
        3 / 30,
        12,
      );
      await knex.destroy();
    },
  );

  it('survives a restart on a SQLite file: last seen, window figures and the time series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coverage-rollups-'));
    const open = async () => {
      const knex = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: join(dir, 'tracing-health.sqlite') },
        useNullAsDefault: true,
      });
      await migrateDatabase(knex);
      return knex;
    };
    try {
      let now = T0;
      const clock = { now: () => now };
      const first = await open();
      const before = newProcess(first, clock);
      await before.rollups.start();
      sendTraffic(before.spanMetrics);
      now = T0 + 50_000;
      await before.rollups.flush();
      const figuresBefore = before.rollups.windowFigures('checkout');
      await first.destroy();

      now = T0 + 2 * MIN;
      const second = await open();
      const after = newProcess(second, clock);
      expect(after.rollups.lastSeen('checkout')).toBeUndefined();
      await after.rollups.start();
      expect(after.rollups.lastSeen('checkout')).toEqual(new Date(T0));
      expect(after.rollups.seenServices()).toEqual(
        new Map([
          ['checkout', T0],
          ['payments', T0],
        ]),
      );
      expect(after.rollups.windowFigures('checkout')).toMatchObject({
        errorRatio: figuresBefore!.errorRatio,
        completeness: figuresBefore!.completeness,
        p95Seconds: figuresBefore!.p95Seconds,
      });

      const series = await after.rollups.series('checkout', 1);
      expect(series.stepMinutes).toBe(1);
      expect(series.points).toHaveLength(60);
      const withSpans = series.points.filter(p => p.spans > 0);
      expect(withSpans).toEqual([
        expect.objectContaining({
          time: '2026-01-01T00:00:00.000Z',
          spans: 3,
          errorSpans: 1,
          traces: 2,
          spansPerSecond: 3 / 60,
          errorRatio: 1 / 3,
          completeness: 1,
        }),
      ]);
      expect(series.points[series.points.length - 1].time).toBe(
        '2026-01-01T00:02:00.000Z',
      );
      expect(series.points[0].p95Seconds).toBeNull();
      await second.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks series steps that keep at most 360 points', () => {
    expect([1, 6, 24, 48, 168].map(seriesStepMinutes)).toEqual([
      1, 1, 4, 10, 30,
    ]);
  });
});
