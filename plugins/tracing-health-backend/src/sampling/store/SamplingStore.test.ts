import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { migrateDatabase } from '../../database/migrateDatabase';
import { SamplingStore } from './SamplingStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const at = new Date('2026-11-22T10:00:00.000Z');
const WRITERS = 10;

describe.each(databases.eachSupportedId())(
  'SamplingStore on %s',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      return new SamplingStore(knex, mockServices.logger.mock());
    }

    it('takes concurrent first writes of one policy one after another: every write lands, each in the history once, in a chain', async () => {
      const store = await createStore();
      const versionBefore = await store.getVersion();
      const rates = Array.from({ length: WRITERS }, (_, i) => (i + 1) / 100);

      const results = await Promise.allSettled(
        rates.map((rate, i) =>
          store.putPolicy(
            'checkout-api',
            { strategy: { type: 'probabilistic', rate } },
            { actor: `user:default/writer-${i}`, reason: `writer ${i}`, at },
          ),
        ),
      );
      expect(results.map(r => r.status)).toEqual(rates.map(() => 'fulfilled'));

      const history = (
        await store.listHistory({ scope: 'checkout-api', limit: 100 })
      ).reverse();
      expect(history).toHaveLength(WRITERS);
      expect(history.map(h => h.action)).toEqual(
        rates.map(() => 'policy-update'),
      );
      // Each write saw the one before it: one first write, then every `before` is the last `after`.
      expect(history[0].before).toBeNull();
      for (let i = 1; i < history.length; i++) {
        expect(history[i].before).toEqual(history[i - 1].after);
      }
      expect(await store.getVersion()).toBe(versionBefore + WRITERS);

      const stored = await store.getPolicy('checkout-api');
      expect(stored).toEqual(history[history.length - 1].after);
      expect(rates).toContain(
        (stored!.policy.strategy as { rate: number }).rate,
      );
    });

    it('takes concurrent first maintenance windows one after another', async () => {
      const store = await createStore();
      const results = await Promise.allSettled(
        Array.from({ length: WRITERS }, (_, i) =>
          store.enterMaintenance({
            factor: 0.5,
            reason: `window ${i}`,
            startedBy: 'user:default/alice',
            startedAt: at.toISOString(),
            expiresAt: new Date(at.getTime() + 60_000).toISOString(),
          }),
        ),
      );
      expect(results.map(r => r.status)).toEqual(
        Array.from({ length: WRITERS }, () => 'fulfilled'),
      );
      const history = (
        await store.listHistory({ scope: 'global', limit: 100 })
      ).reverse();
      expect(history).toHaveLength(WRITERS);
      expect(history[0].before).toBeNull();
      for (let i = 1; i < history.length; i++) {
        expect(history[i].before).toEqual(history[i - 1].after);
      }
    });
  },
);
