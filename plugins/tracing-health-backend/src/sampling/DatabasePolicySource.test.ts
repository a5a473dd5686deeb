import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import { migrateDatabase } from '../database/migrateDatabase';
import { CatalogServices } from '../services/CatalogServices';
import { ServiceDirectory } from './catalog/ServiceDirectory';
import { DatabasePolicySource } from './DatabasePolicySource';
import { readSamplingConfig } from './readSamplingConfig';
import { SamplingStore } from './store/SamplingStore';
import { ManualClock } from './__testUtils__/startSamplingBackend';

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
        'tracing-health/tier': 'critical',
      },
    },
    spec: { type: 'service', owner: 'group:default/payments-team' },
  },
];

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe.each(databases.eachSupportedId())(
  'DatabasePolicySource on %s',
  databaseId => {
    let knex: Knex;
    const clock = new ManualClock(new Date('2026-11-22T10:00:00.000Z'));
    const sources: DatabasePolicySource[] = [];

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
    });
    afterEach(() => sources.splice(0).forEach(s => s.stop()));

    async function replica(catalogEntities = entities) {
      const source = new DatabasePolicySource({
        store: new SamplingStore(knex, mockServices.logger.mock()),
        directory: new ServiceDirectory(
          new CatalogServices(
            catalogServiceMock({ entities: catalogEntities }),
          ),
          mockServices.auth(),
        ),
        config: readSamplingConfig(new ConfigReader({})),
        logger: mockServices.logger.mock(),
        clock,
      });
      await source.start();
      sources.push(source);
      return source;
    }

    it('picks up a change made through another replica when it polls the version', async () => {
      const a = await replica();
      const b = await replica();
      expect(b.getPolicy('checkout-api')!.strategy).toEqual({
        type: 'probabilistic',
        rate: 1,
      });
      expect(b.getPolicy('unknown')).toBeUndefined();
      expect(b.getDefaultPolicy()).toMatchObject({
        strategy: { type: 'probabilistic', rate: 0.1 },
        origin: 'default',
      });

      const store = new SamplingStore(knex, mockServices.logger.mock());
      await store.putPolicy(
        'checkout-api',
        { strategy: { type: 'probabilistic', rate: 0.2 } },
        { actor: 'user:default/carol', reason: 'r', at: clock.now() },
      );
      const versionBefore = b.version();
      expect(await b.refresh()).toBe(true);
      expect(b.version()).toBeGreaterThan(versionBefore);
      expect(b.getPolicy('checkout-api')).toMatchObject({
        strategy: { type: 'probabilistic', rate: 0.2 },
        origin: 'service',
        tier: 'critical',
      });
      // nothing changed since: polling again does not reload or bump the version
      const settled = b.version();
      expect(await b.refresh()).toBe(false);
      expect(b.version()).toBe(settled);
      expect(await a.refresh()).toBe(true);
      expect(a.getPolicy('checkout-api')!.strategy).toEqual({
        type: 'probabilistic',
        rate: 0.2,
      });
    });

    it('knows services by component, stored policy or own override', async () => {
      const source = await replica();
      const store = new SamplingStore(knex, mockServices.logger.mock());
      await store.putPolicy(
        'batch-job',
        { samplingLocation: 'sdk' },
        { actor: 'user:default/alice', reason: 'r', at: clock.now() },
      );
      await store.createOverride({
        id: 'o1',
        scope: 'legacy',
        action: 'cap-rate',
        maxRate: 0.01,
        reason: 'noisy',
        createdBy: 'user:default/alice',
        createdAt: clock.now().toISOString(),
        expiresAt: '2026-11-22T10:30:00.000Z',
      });
      await source.refresh();
      expect(source.serviceNames()).toEqual([
        'batch-job',
        'checkout-api',
        'legacy',
      ]);
      expect(source.getPolicy('legacy')!.strategy).toEqual({
        type: 'probabilistic',
        rate: 0.01,
      });
      expect(source.getPolicy('batch-job')!.samplingLocation).toBe('sdk');
    });

    it('skips a stored policy that no longer validates, keeping the others', async () => {
      const source = await replica();
      await knex('tracing_health_sampling_policies').insert({
        service_name: 'checkout-api',
        policy: JSON.stringify({ strategy: { type: 'magic' } }),
        updated_by: 'user:default/x',
        updated_at: clock.now(),
      });
      await knex('tracing_health_sampling_version')
        .where({ id: 1 })
        .increment('version', 1);
      await source.refresh();
      expect(source.getPolicy('checkout-api')).toMatchObject({
        origin: 'tier',
      });
    });
  },
);
