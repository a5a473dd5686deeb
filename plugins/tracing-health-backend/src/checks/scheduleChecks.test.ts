import { createBackendModule } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CheckType,
  tracingHealthChecksExtensionPoint,
} from '@internal/plugin-tracing-health-node';
import knexFactory, { Knex } from 'knex';
import { tracingHealthPlugin } from '../plugin';
import { startLoopbackServer } from './__testUtils__/checkHarness';
import { eventually } from './__testUtils__/realPrometheus';

jest.setTimeout(180_000);

/** A module adding a check type through the extension point, as other backend modules would. */
function checkTypeModule(type: CheckType<any>) {
  return createBackendModule({
    pluginId: 'tracing-health',
    moduleId: `test-${type.type}`,
    register(reg) {
      reg.registerInit({
        deps: { checks: tracingHealthChecksExtensionPoint },
        async init({ checks }) {
          checks.addCheckType(type);
        },
      });
    },
  });
}

describe('check scheduling', () => {
  it('does not let a hung target delay the other checks, and marks it at its timeout', async () => {
    const fast = await startLoopbackServer((_req, res) =>
      res.writeHead(200).end('ok'),
    );
    // Accepts connections, never answers.
    const hung = await startLoopbackServer(() => {});
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    // A type that ignores its abort signal: the runner must still cut it off.
    const deaf: CheckType = {
      type: 'deaf',
      description: 'never returns and ignores its signal',
      runbookId: 'check-failing',
      target: 'none',
      failureStatus: 'unknown',
      measurements: {},
      run: () => new Promise(() => {}),
    };
    const backend = await startTestBackend({
      features: [
        tracingHealthPlugin,
        checkTypeModule(deaf),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            tracingHealth: {
              checkScheduler: { concurrency: 3 },
              checks: [
                {
                  id: 'hung',
                  type: 'http',
                  target: `${hung.url}/`,
                  timeout: '5s',
                },
                { id: 'deaf', type: 'deaf', timeout: '5s' },
                ...[1, 2, 3, 4, 5].map(i => ({
                  id: `fast-${i}`,
                  type: 'http',
                  target: `${fast.url}/${i}`,
                  timeout: '5s',
                })),
              ],
            },
          },
        }),
      ],
    });
    try {
      // The mock scheduler runs every task once at start-up and waits for them.
      const runs = await knex('tracing_health_check_runs').orderBy('id', 'asc');
      expect(runs.slice(0, 5).map(r => r.check_id)).toEqual([
        'fast-1',
        'fast-2',
        'fast-3',
        'fast-4',
        'fast-5',
      ]);
      expect(runs.slice(0, 5).every(r => r.status === 'ok')).toBe(true);
      const byId = Object.fromEntries(runs.slice(5).map(r => [r.check_id, r]));
      expect(Object.keys(byId).sort()).toEqual(['deaf', 'hung']);
      expect(byId.hung).toMatchObject({
        status: 'critical',
        runbook_id: 'endpoint-down',
      });
      expect(byId.hung.message).toContain('no answer within 5s');
      expect(byId.deaf).toMatchObject({
        status: 'unknown',
        runbook_id: 'check-failing',
      });
      expect(byId.deaf.message).toContain('no answer within 5s');
    } finally {
      await backend.stop();
      await knex.destroy();
      await fast.close();
      await hung.close();
    }
  });

  const databases = TestDatabases.create({
    ids: ['POSTGRES_15'],
    disableDocker: true,
  });
  const postgresIds = databases.eachSupportedId();

  // Runs where PostgreSQL is available (./scripts/test.sh starts one); skipped otherwise.
  (postgresIds.length ? describe : describe.skip)('on PostgreSQL', () => {
    it('runs each check once per interval across two backends on one PostgreSQL', async () => {
      const first = await databases.init('POSTGRES_15');
      const second: Knex = knexFactory(first.client.config);
      const invocations: Array<{
        check: string;
        backend: string;
        start: number;
        end: number;
        /** Stopping a backend aborts its run in progress; such a run is not stored. */
        abortedByStop: boolean;
      }> = [];
      const recordingType = (backendName: string): CheckType => ({
        type: 'recording',
        description: 'records who ran it and when',
        runbookId: 'check-failing',
        target: 'none',
        measurements: { run: { description: 'a run' } },
        async run(ctx) {
          const start = Date.now();
          await new Promise(r => setTimeout(r, 200));
          invocations.push({
            check: ctx.checkId,
            backend: backendName,
            start,
            end: Date.now(),
            abortedByStop: ctx.signal.aborted,
          });
          return {
            measurements: [
              ctx.verdict('run', 'ok', { message: `ran on ${backendName}` }),
            ],
          };
        },
      });
      const config = {
        tracingHealth: {
          checks: ['a', 'b', 'c'].map(id => ({
            id,
            type: 'recording',
            interval: '1s',
            timeout: '1s',
          })),
        },
      };
      const start = (name: string, knex: Knex) =>
        startTestBackend({
          features: [
            tracingHealthPlugin,
            checkTypeModule(recordingType(name)),
            catalogServiceMock.factory({ entities: [] }),
            mockServices.database.factory({ knex }),
            mockServices.rootConfig.factory({ data: config }),
            schedulerServiceFactory,
          ],
        });
      // One after the other: both migrate the same database.
      const one = await start('one', first);
      const two = await start('two', second);
      try {
        await eventually(async () => {
          const counts = await first('tracing_health_check_runs')
            .select('check_id')
            .count('* as n')
            .groupBy('check_id');
          return counts.length === 3 && counts.every(c => Number(c.n) >= 6);
        }, 'every check to run six times');
      } finally {
        await one.stop();
        await two.stop();
      }

      const intervalMs = 1000;
      try {
        for (const id of ['a', 'b', 'c']) {
          const runs = invocations
            .filter(i => i.check === id)
            .sort((x, y) => x.start - y.start);
          // Never two runs at once, whichever backend ran them...
          for (let i = 1; i < runs.length; i++) {
            expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
          }
          // ...and no more runs than one per interval (two independent schedulers make two).
          const span = runs[runs.length - 1].start - runs[0].start;
          expect(runs.length).toBeLessThanOrEqual(
            Math.floor(span / intervalMs) + 2,
          );
          // Every run that was not cut short by the stop is stored, by whichever backend ran it.
          const finished = runs.filter(r => !r.abortedByStop).length;
          expect(finished).toBeGreaterThanOrEqual(runs.length - 2);
          await eventually(async () => {
            const stored = await first('tracing_health_check_runs')
              .where('check_id', id)
              .count('* as n');
            return Number(stored[0].n) === finished;
          }, `${finished} stored runs of ${id}`);
        }
      } finally {
        await second.destroy();
      }
    });
  });
});
