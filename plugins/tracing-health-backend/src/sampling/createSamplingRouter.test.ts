import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  SAMPLING_ROUTES,
  SAMPLING_UNAUTHENTICATED_PATHS,
  samplingPath,
} from '@internal/plugin-tracing-health-common';
import request from 'supertest';
import YAML from 'yaml';
import {
  ManualClock,
  startSamplingBackend,
} from './__testUtils__/startSamplingBackend';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice'; // platform admin
const CAROL = 'user:default/carol'; // owns checkout
const GRACE = 'user:default/grace'; // owns inventory

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    annotations: { 'tracing-health/enabled': 'true', ...annotations },
  },
  spec: { type: 'service', owner },
});

const entities = [
  component('checkout', 'group:default/payments-team', {
    'tracing-health/service-name': 'checkout-api',
    'tracing-health/tier': 'critical',
  }),
  component('inventory', 'group:default/fulfilment-team', {
    'tracing-health/tier': 'high-volume',
  }),
  component('orders', 'group:default/fulfilment-team', {}),
];

const access = {
  ownedEntities: {
    [CAROL]: ['component:default/checkout'],
    [GRACE]: ['component:default/inventory', 'component:default/orders'],
  },
  admins: [ALICE],
};

const BASE = '/api/tracing-health';
const policyUrl = (serviceName: string) =>
  `${BASE}${samplingPath(SAMPLING_ROUTES.policy, { serviceName })}`;
const policyHistoryUrl = (serviceName: string) =>
  `${BASE}${samplingPath(SAMPLING_ROUTES.policyHistory, { serviceName })}`;
const overrideUrl = (id: string) =>
  `${BASE}${samplingPath(SAMPLING_ROUTES.override, { id })}`;
const as = (user: string) => mockCredentials.user.header(user);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe.each(databases.eachSupportedId())(
  'sampling control plane on %s',
  databaseId => {
    async function start(config?: object, withEntities = entities) {
      const knex = await databases.init(databaseId);
      const clock = new ManualClock(new Date('2026-11-22T10:00:00.000Z'));
      // The adaptive sampler's rates, as the pipeline would report them.
      const adaptiveRates = new Map<string, number>();
      const backend = await startSamplingBackend({
        knex,
        clock,
        entities: withEntities,
        access,
        config,
        adaptiveRates: { currentRate: name => adaptiveRates.get(name) },
      });
      return { ...backend, clock, knex, adaptiveRates };
    }

    it('merges tier (and its config) → stored policy → override, and says where each field came from', async () => {
      const { server } = await start({
        tracingHealth: {
          sampling: {
            // the config default is for services without a component
            default: { alwaysKeep: { keepSlowerThanMs: 1 } },
            tiers: {
              critical: {
                samplingLocation: 'sdk',
                alwaysKeep: { keepSlowerThanMs: 2000 },
              },
            },
          },
        },
      });
      const before = await request(server)
        .get(policyUrl('checkout-api'))
        .set('Authorization', as(GRACE));
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({
        serviceName: 'checkout-api',
        entityRef: 'component:default/checkout',
        tier: 'critical',
        origin: 'tier',
        policy: {
          strategy: { type: 'probabilistic', rate: 1 },
          alwaysKeep: { keepErrors: true, keepSlowerThanMs: 2000 },
          samplingLocation: 'sdk',
        },
        sources: {
          strategy: 'tier',
          operations: 'default',
          'alwaysKeep.keepErrors': 'default',
          'alwaysKeep.keepSlowerThanMs': 'tier',
          samplingLocation: 'tier',
        },
        overrides: [],
        sdkStrategy: {
          strategyType: 'PROBABILISTIC',
          probabilisticSampling: { samplingRate: 1 },
        },
      });
      expect(before.body.storedPolicy).toBeUndefined();

      const put = await request(server)
        .put(policyUrl('checkout-api'))
        .set('Authorization', as(CAROL))
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 0.4 } },
          reason: 'cost review',
        });
      expect(put.status).toBe(200);
      expect(put.body.origin).toBe('service');
      expect(put.body.sources.strategy).toBe('service');
      expect(put.body.sources.samplingLocation).toBe('tier');

      const override = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(ALICE))
        .send({
          scope: 'global',
          action: 'cap-rate',
          maxRate: 0.1,
          reason: 'backend overloaded',
          expiresInMinutes: 30,
        });
      expect(override.status).toBe(201);

      const after = await request(server)
        .get(policyUrl('checkout-api'))
        .set('Authorization', as(GRACE));
      expect(after.body.policy.strategy).toEqual({
        type: 'probabilistic',
        rate: 0.1,
      });
      expect(after.body.basePolicy.strategy).toEqual({
        type: 'probabilistic',
        rate: 0.4,
      });
      expect(after.body.sources.strategy).toBe('override');
      expect(after.body.overrides).toEqual([override.body]);
      expect(after.body.storedPolicy).toEqual({
        policy: { strategy: { type: 'probabilistic', rate: 0.4 } },
        updatedBy: CAROL,
        updatedAt: '2026-11-22T10:00:00.000Z',
      });
    });

    it('lets an owner change a policy, records who/when/before/after/why, audits it, and serves it', async () => {
      const { server, auditEvents, authorizeCalls } = await start();
      const put = (rate: number, reason: string) =>
        request(server)
          .put(policyUrl('checkout-api'))
          .set('Authorization', as(CAROL))
          .send({
            policy: {
              strategy: { type: 'probabilistic', rate },
              samplingLocation: 'sdk',
            },
            reason,
          });
      expect((await put(0.5, 'first')).status).toBe(200);
      const second = await put(0.25, 'second');
      expect(second.status).toBe(200);
      expect(second.body.policy.strategy.rate).toBe(0.25);

      const updateCheck = authorizeCalls.find(c =>
        c.requests.some(
          r => r.permission.name === 'tracing-health.sampling.update',
        ),
      );
      expect(updateCheck).toEqual({
        user: CAROL,
        requests: [
          expect.objectContaining({
            resourceRef: 'component:default/checkout',
          }),
        ],
      });

      const history = await request(server)
        .get(policyHistoryUrl('checkout-api'))
        .set('Authorization', as(GRACE));
      expect(history.status).toBe(200);
      expect(history.body.items).toEqual([
        {
          id: expect.any(Number),
          at: '2026-11-22T10:00:00.000Z',
          actor: CAROL,
          action: 'policy-update',
          scope: 'checkout-api',
          reason: 'second',
          before: expect.objectContaining({
            policy: {
              strategy: { type: 'probabilistic', rate: 0.5 },
              samplingLocation: 'sdk',
            },
          }),
          after: expect.objectContaining({
            policy: {
              strategy: { type: 'probabilistic', rate: 0.25 },
              samplingLocation: 'sdk',
            },
            updatedBy: CAROL,
          }),
        },
        expect.objectContaining({ reason: 'first', before: null }),
      ]);

      const audits = auditEvents.filter(
        e => e.eventId === 'sampling-policy-update',
      );
      expect(audits).toHaveLength(2);
      expect(audits[1]).toMatchObject({
        severityLevel: 'medium',
        meta: { serviceName: 'checkout-api' },
        outcome: 'success',
        outcomeMeta: {
          reason: 'second',
          entityRef: 'component:default/checkout',
          before: {
            strategy: { type: 'probabilistic', rate: 0.5 },
            samplingLocation: 'sdk',
          },
          after: {
            strategy: { type: 'probabilistic', rate: 0.25 },
            samplingLocation: 'sdk',
          },
        },
      });

      // served at once to SDKs (unauthenticated) and to collector fleets
      const jaeger = await request(server)
        .get(`${BASE}/sampling?service=checkout-api`)
        .set('Authorization', mockCredentials.none.header());
      expect(jaeger.status).toBe(200);
      expect(jaeger.body).toEqual({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.25 },
      });
      const yaml = await request(server)
        .get(`${BASE}/collector-config`)
        .set('Authorization', as(GRACE));
      expect(yaml.status).toBe(200);
      expect(yaml.type).toBe('text/yaml');
      const policies = YAML.parse(yaml.text).processors.tail_sampling.policies;
      // sampled in the SDK: the collector keeps what arrives
      expect(
        policies.find((p: any) => p.name === 'service:checkout-api:sample'),
      ).toBeDefined();
      expect(
        policies.find((p: any) => p.name === 'service:inventory:sample').and
          .and_sub_policy[1],
      ).toEqual({
        name: 'rate',
        type: 'probabilistic',
        probabilistic: { sampling_percentage: 1 },
      });
    });

    it('refuses non-owners with 403, stores nothing, and audits the refusal', async () => {
      const { server, auditEvents } = await start();
      const res = await request(server)
        .put(policyUrl('checkout-api'))
        .set('Authorization', as(GRACE))
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
          reason: 'mine now',
        });
      expect(res.status).toBe(403);
      const history = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.history}`)
        .set('Authorization', as(GRACE));
      expect(history.body.items).toEqual([]);
      expect(auditEvents).toEqual([
        expect.objectContaining({
          eventId: 'sampling-policy-update',
          outcome: 'fail',
          error: expect.objectContaining({ name: 'NotAllowedError' }),
        }),
      ]);
      // a service without a component has no owner: only admins
      const unowned = await request(server)
        .put(policyUrl('unregistered-svc'))
        .set('Authorization', as(CAROL))
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
          reason: 'x',
        });
      expect(unowned.status).toBe(403);
      const byAdmin = await request(server)
        .put(policyUrl('unregistered-svc'))
        .set('Authorization', as(ALICE))
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
          reason: 'x',
        });
      expect(byAdmin.status).toBe(200);
    });

    it('refuses changes without a signed-in user (service tokens cannot change sampling)', async () => {
      const { server } = await start();
      const body = {
        policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
        reason: 'x',
      };
      const anonymous = await request(server)
        .put(policyUrl('checkout-api'))
        .set('Authorization', mockCredentials.none.header())
        .send(body);
      expect(anonymous.status).toBe(401);
      const service = await request(server)
        .put(policyUrl('checkout-api'))
        .set('Authorization', mockCredentials.service.header())
        .send(body);
      expect(service.status).toBe(403);
      const read = await request(server)
        .get(policyUrl('checkout-api'))
        .set('Authorization', mockCredentials.none.header());
      expect(read.status).toBe(401);
    });

    it('answers 400 with every invalid field by path, and stores nothing', async () => {
      const { server, auditEvents } = await start();
      const res = await request(server)
        .put(policyUrl('checkout-api'))
        .set('Authorization', as(CAROL))
        .send({
          policy: {
            strategy: { type: 'probabilistic', rate: 1.5 },
            operations: [
              {
                // RE2 (linear time) has no lookbehind
                match: { type: 'span-name-regex', pattern: '(?<=GET )/orders' },
                rate: 0.5,
              },
            ],
            colour: 'blue',
          },
          reason: '   ',
        });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          { path: 'policy.strategy.rate', message: 'must be between 0 and 1' },
          {
            path: 'policy.operations[0].match.pattern',
            message: expect.stringMatching(
              /^must not use lookahead or lookbehind/,
            ),
          },
          { path: 'policy.colour', message: 'is not a known field' },
          { path: 'reason', message: 'is required' },
        ]),
      );
      expect(res.body.errors).toHaveLength(4);
      const missing = await request(server)
        .put(policyUrl('checkout-api'))
        .set('Authorization', as(CAROL))
        .send({ policy: { strategy: { type: 'probabilistic', rate: 0.5 } } });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([
        { path: 'reason', message: 'is required' },
      ]);

      const current = await request(server)
        .get(policyUrl('checkout-api'))
        .set('Authorization', as(CAROL));
      expect(current.body.storedPolicy).toBeUndefined();
      expect(auditEvents.map(e => e.outcome)).toEqual(['fail', 'fail']);
    });

    it('reverts an emergency override at its expiry time, then removes and audits it', async () => {
      const { server, clock, plane, auditEvents } = await start();
      const denied = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(CAROL))
        .send({
          scope: 'checkout-api',
          action: 'disable',
          reason: 'x',
          expiresInMinutes: 5,
        });
      expect(denied.status).toBe(403);

      const tooLong = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(ALICE))
        .send({
          scope: 'checkout-api',
          action: 'disable',
          reason: 'x',
          expiresInMinutes: 100000,
        });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.errors).toEqual([
        { path: 'expiresInMinutes', message: 'must be at most 1440 minutes' },
      ]);
      const capWithoutRate = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(ALICE))
        .send({
          scope: 'checkout-api',
          action: 'cap-rate',
          reason: 'x',
          expiresInMinutes: 5,
        });
      expect(capWithoutRate.body.errors).toEqual([
        { path: 'maxRate', message: 'is required for cap-rate' },
      ]);

      const created = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(ALICE))
        .send({
          scope: 'checkout-api',
          action: 'disable',
          reason: 'runaway span volume',
          expiresInMinutes: 15,
        });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        scope: 'checkout-api',
        action: 'disable',
        reason: 'runaway span volume',
        createdBy: ALICE,
        createdAt: '2026-11-22T10:00:00.000Z',
        expiresAt: '2026-11-22T10:15:00.000Z',
      });
      const rateNow = async () =>
        (await request(server).get(`${BASE}/sampling?service=checkout-api`))
          .body.probabilisticSampling.samplingRate;
      expect(await rateNow()).toBe(0);
      expect(plane.policySource.getPolicy('checkout-api')!.strategy).toEqual({
        type: 'probabilistic',
        rate: 0,
      });
      const versionWhileActive = plane.policySource.version();

      clock.advanceMinutes(14);
      expect(await rateNow()).toBe(0);
      clock.advanceMinutes(1);
      // in force until the expiry instant, gone at it, before any cleanup ran
      expect(await rateNow()).toBe(1);
      expect(plane.policySource.version()).toBeGreaterThan(versionWhileActive);
      expect(plane.policySource.getPolicy('checkout-api')!.strategy).toEqual({
        type: 'probabilistic',
        rate: 1,
      });
      const listed = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(CAROL));
      expect(listed.body.items).toEqual([]);

      await plane.removeExpired();
      const history = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.history}`)
        .set('Authorization', as(CAROL));
      expect(history.body.items.map((e: any) => [e.action, e.actor])).toEqual([
        ['override-expire', 'system'],
        ['override-create', ALICE],
      ]);
      expect(history.body.items[0].before).toEqual(created.body);
      expect(
        auditEvents.filter(e => e.outcome === 'success').map(e => e.eventId),
      ).toEqual(['sampling-override-create', 'sampling-override-expire']);
      // running again finds nothing more
      await plane.removeExpired();
      const again = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.history}?limit=10`)
        .set('Authorization', as(CAROL));
      expect(again.body.items).toHaveLength(2);
    });

    it('ends an override early with a reason', async () => {
      const { server } = await start();
      const created = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(ALICE))
        .send({
          scope: 'global',
          action: 'cap-rate',
          maxRate: 0.01,
          reason: 'x',
          expiresInMinutes: 60,
        });
      const noReason = await request(server)
        .delete(overrideUrl(created.body.id))
        .set('Authorization', as(ALICE));
      expect(noReason.status).toBe(400);
      const ended = await request(server)
        .delete(overrideUrl(created.body.id))
        .set('Authorization', as(ALICE))
        .send({ reason: 'storm over' });
      expect(ended.status).toBe(200);
      const gone = await request(server)
        .delete(`${overrideUrl(created.body.id)}?reason=again`)
        .set('Authorization', as(ALICE));
      expect(gone.status).toBe(404);
      const history = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.history}`)
        .set('Authorization', as(ALICE));
      expect(history.body.items[0]).toMatchObject({
        action: 'override-delete',
        actor: ALICE,
        reason: 'storm over',
        before: created.body,
        after: null,
      });
    });

    it('enters maintenance (rates lowered) and exits it (rates restored)', async () => {
      const { server, clock } = await start();
      const strategyOf = async (service: string) =>
        (
          await request(server)
            .get(policyUrl(service))
            .set('Authorization', as(GRACE))
        ).body;
      const forbidden = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.maintenance}`)
        .set('Authorization', as(GRACE))
        .send({ factor: 0.1, reason: 'db upgrade', expiresInMinutes: 60 });
      expect(forbidden.status).toBe(403);
      const neither = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.maintenance}`)
        .set('Authorization', as(ALICE))
        .send({ reason: 'db upgrade', expiresInMinutes: 60 });
      expect(neither.body.errors).toEqual([
        { path: 'factor', message: 'factor or maxRate is required' },
      ]);

      const entered = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.maintenance}`)
        .set('Authorization', as(ALICE))
        .send({
          factor: 0.1,
          maxRate: 0.05,
          reason: 'db upgrade',
          expiresInMinutes: 60,
        });
      expect(entered.status).toBe(201);
      expect(entered.body.maintenance).toMatchObject({
        factor: 0.1,
        maxRate: 0.05,
        startedBy: ALICE,
        expiresAt: '2026-11-22T11:00:00.000Z',
      });
      const during = await strategyOf('checkout-api');
      expect(during.policy.strategy).toEqual({
        type: 'probabilistic',
        rate: 0.05,
      });
      expect(during.sources.strategy).toBe('maintenance');
      expect((await strategyOf('inventory')).policy.strategy.rate).toBeCloseTo(
        0.001,
        12,
      );
      const state = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.maintenance}`)
        .set('Authorization', as(GRACE));
      expect(state.body.maintenance.reason).toBe('db upgrade');

      clock.advanceMinutes(5);
      const exited = await request(server)
        .delete(`${BASE}${SAMPLING_ROUTES.maintenance}`)
        .set('Authorization', as(ALICE))
        .send({ reason: 'upgrade done' });
      expect(exited.status).toBe(200);
      expect((await strategyOf('checkout-api')).policy.strategy.rate).toBe(1);
      expect((await strategyOf('inventory')).policy.strategy.rate).toBe(0.01);
      const history = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.history}`)
        .set('Authorization', as(GRACE));
      expect(
        history.body.items.map((e: any) => [e.action, e.reason, e.at]),
      ).toEqual([
        ['maintenance-exit', 'upgrade done', '2026-11-22T10:05:00.000Z'],
        ['maintenance-enter', 'db upgrade', '2026-11-22T10:00:00.000Z'],
      ]);
    });

    it('serves Jaeger api_v2 strategies: default for unknown services, computed rates for adaptive ones', async () => {
      const { server, adaptiveRates } = await start({
        tracingHealth: {
          sampling: {
            // every service samples in its SDK
            default: { samplingLocation: 'sdk' },
            tiers: {
              standard: { samplingLocation: 'sdk' },
              'high-volume': { samplingLocation: 'sdk' },
            },
          },
        },
      });
      const unknown = await request(server).get(
        `${BASE}/sampling?service=never-heard-of-it`,
      );
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.1 },
      });
      const alias = await request(server).get(
        `${BASE}/api/sampling?service=inventory`,
      );
      expect(alias.body.probabilisticSampling.samplingRate).toBe(0.01);
      expect((await request(server).get(`${BASE}/sampling`)).status).toBe(400);

      await request(server)
        .put(policyUrl('orders'))
        .set('Authorization', as(GRACE))
        .send({
          policy: {
            strategy: {
              type: 'adaptive',
              targetTracesPerSecond: 20,
              minRate: 0.01,
              maxRate: 0.8,
            },
            operations: [
              { match: { type: 'span-name', name: 'POST /orders' }, rate: 1 },
            ],
          },
          reason: 'adaptive',
        })
        .expect(200);
      expect(
        (await request(server).get(`${BASE}/sampling?service=orders`)).body,
      ).toEqual({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.01 },
        operationSampling: {
          defaultSamplingProbability: 0.01,
          defaultLowerBoundTracesPerSecond: 0,
          perOperationStrategies: [
            {
              operation: 'POST /orders',
              probabilisticSampling: { samplingRate: 1 },
            },
          ],
        },
      });
      adaptiveRates.set('orders', 0.37);
      const adaptive = await request(server).get(
        `${BASE}/sampling?service=orders`,
      );
      expect(adaptive.body.probabilisticSampling.samplingRate).toBe(0.37);
      const described = await request(server)
        .get(policyUrl('orders'))
        .set('Authorization', as(GRACE));
      expect(described.body.adaptiveRate).toBe(0.37);

      await request(server)
        .put(policyUrl('inventory'))
        .set('Authorization', as(GRACE))
        .send({
          policy: { strategy: { type: 'rate-limiting', tracesPerSecond: 2.5 } },
          reason: 'x',
        })
        .expect(200);
      expect(
        (await request(server).get(`${BASE}/sampling?service=inventory`)).body,
      ).toEqual({
        strategyType: 'RATE_LIMITING',
        probabilisticSampling: { samplingRate: 0 },
        rateLimitingSampling: { maxTracesPerSecond: 2.5 },
      });
    });

    it('resets a stored policy to its tier', async () => {
      const { server } = await start();
      await request(server)
        .put(policyUrl('inventory'))
        .set('Authorization', as(GRACE))
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
          reason: 'x',
        })
        .expect(200);
      const reset = await request(server)
        .delete(`${policyUrl('inventory')}?reason=back%20to%20tier`)
        .set('Authorization', as(GRACE));
      expect(reset.status).toBe(200);
      expect(reset.body.policy.strategy.rate).toBe(0.01);
      expect(reset.body.origin).toBe('tier');
      const history = await request(server)
        .get(`${policyHistoryUrl('inventory')}?limit=1`)
        .set('Authorization', as(GRACE));
      expect(history.body.items).toEqual([
        expect.objectContaining({
          action: 'policy-reset',
          reason: 'back to tier',
          after: null,
        }),
      ]);
    });

    it('renders the two-tier Collector layout (?layout=two-tier): agents route by traceID to gateways that tail-sample with the same policies', async () => {
      const { server } = await start();
      const url = `${BASE}/collector-config`;
      const processors = await request(server)
        .get(url)
        .set('Authorization', as(GRACE));
      const res = await request(server)
        .get(
          `${url}?layout=two-tier&resolver=static&hostnames=gw-1:4317,gw-2:4317`,
        )
        .set('Authorization', as(GRACE));
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/yaml');
      const [agent, gateway] = YAML.parseAllDocuments(res.text).map(d =>
        d.toJS(),
      );
      expect(agent.exporters.loadbalancing).toMatchObject({
        routing_key: 'traceID',
        resolver: { static: { hostnames: ['gw-1:4317', 'gw-2:4317'] } },
      });
      expect(gateway.processors.tail_sampling).toEqual(
        YAML.parse(processors.text).processors.tail_sampling,
      );

      const gatewayOnly = await request(server)
        .get(`${url}?layout=two-tier&tier=gateway`)
        .set('Authorization', as(GRACE));
      expect(YAML.parseAllDocuments(gatewayOnly.text)).toHaveLength(1);

      for (const bad of [
        '?layout=three-tier',
        '?tier=agent',
        '?layout=two-tier&tier=edge',
        '?layout=two-tier&resolver=static',
        '?layout=two-tier&hostname=a%20b',
      ]) {
        const refused = await request(server)
          .get(`${url}${bad}`)
          .set('Authorization', as(GRACE));
        expect([bad, refused.status]).toEqual([bad, 400]);
      }
    });

    it('lists every known service with its effective policy', async () => {
      const { server } = await start();
      const res = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.policies}`)
        .set('Authorization', as(GRACE));
      expect(res.status).toBe(200);
      expect(res.body.default.policy.strategy.rate).toBe(0.1);
      expect(
        res.body.items.map((i: any) => [
          i.serviceName,
          i.tier,
          i.policy.strategy.rate,
        ]),
      ).toEqual([
        ['checkout-api', 'critical', 1],
        ['inventory', 'high-volume', 0.01],
        ['orders', 'standard', 0.1],
      ]);
    });

    it('refuses to change the policy of a service.name two components claim, for owners and admins alike (409 naming both)', async () => {
      // grace registers a component that claims checkout's service.name
      const claimant = component(
        'checkout-copy',
        'group:default/fulfilment-team',
        { 'tracing-health/service-name': 'checkout-api' },
      );
      const { server, auditEvents } = await start(undefined, [
        ...entities,
        claimant,
      ]);
      const both = [
        'component:default/checkout',
        'component:default/checkout-copy',
      ];
      const body = {
        policy: { strategy: { type: 'probabilistic', rate: 0.01 } },
        reason: 'mine now',
      };
      for (const user of [CAROL, GRACE, ALICE]) {
        const put = await request(server)
          .put(policyUrl('checkout-api'))
          .set('Authorization', as(user))
          .send(body);
        expect(put.status).toBe(409);
        expect(put.body.error.name).toBe('ConflictError');
        expect(put.body.error.message).toContain(both[0]);
        expect(put.body.error.message).toContain(both[1]);
        const reset = await request(server)
          .delete(`${policyUrl('checkout-api')}?reason=x`)
          .set('Authorization', as(user));
        expect(reset.status).toBe(409);
      }
      const history = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.history}`)
        .set('Authorization', as(GRACE));
      expect(history.body.items).toEqual([]);
      expect(
        auditEvents.filter(e => e.eventId === 'sampling-policy-update'),
      ).toEqual(
        [CAROL, GRACE, ALICE].map(() =>
          expect.objectContaining({
            outcome: 'fail',
            error: expect.objectContaining({ name: 'ConflictError' }),
          }),
        ),
      );

      // the conflict is visible to readers; a service only one component claims is unaffected
      const read = await request(server)
        .get(policyUrl('checkout-api'))
        .set('Authorization', as(GRACE));
      expect(read.status).toBe(200);
      expect(read.body.conflictingEntities).toEqual(both);
      const list = await request(server)
        .get(`${BASE}${SAMPLING_ROUTES.policies}`)
        .set('Authorization', as(GRACE));
      const byName = Object.fromEntries(
        list.body.items.map((i: any) => [i.serviceName, i]),
      );
      expect(byName['checkout-api'].conflictingEntities).toEqual(both);
      expect(byName.orders.conflictingEntities).toBeUndefined();
      const orders = await request(server)
        .put(policyUrl('orders'))
        .set('Authorization', as(GRACE))
        .send(body);
      expect(orders.status).toBe(200);
      expect(orders.body.conflictingEntities).toBeUndefined();

      // admins keep their emergency controls over the contested service
      const override = await request(server)
        .post(`${BASE}${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', as(ALICE))
        .send({
          scope: 'checkout-api',
          action: 'cap-rate',
          maxRate: 0.1,
          reason: 'contested',
          expiresInMinutes: 30,
        });
      expect(override.status).toBe(201);
    });

    it('takes concurrent first changes of one policy: every one answers 200 and is in the history once', async () => {
      const { server } = await start();
      const rates = Array.from({ length: 10 }, (_, i) => (i + 1) / 100);
      const responses = await Promise.all(
        rates.map(rate =>
          request(server)
            .put(policyUrl('checkout-api'))
            .set('Authorization', as(CAROL))
            .send({
              policy: { strategy: { type: 'probabilistic', rate } },
              reason: `rate ${rate}`,
            }),
        ),
      );
      expect(responses.map(r => r.status)).toEqual(rates.map(() => 200));
      const history = await request(server)
        .get(`${policyHistoryUrl('checkout-api')}?limit=100`)
        .set('Authorization', as(GRACE));
      expect(history.body.items.map((h: any) => h.reason).sort()).toEqual(
        rates.map(rate => `rate ${rate}`).sort(),
      );
      expect(
        history.body.items.filter((h: any) => h.before === null),
      ).toHaveLength(1);
      const final = await request(server)
        .get(policyUrl('checkout-api'))
        .set('Authorization', as(GRACE));
      expect(final.body.storedPolicy.policy).toEqual(
        history.body.items[0].after.policy,
      );
      expect(rates).toContain(final.body.storedPolicy.policy.strategy.rate);
    });

    it('serves the Jaeger strategy without credentials at exactly /sampling and /api/sampling, nothing under them', async () => {
      const { server } = await start();
      const anonymous = (path: string) =>
        request(server)
          .get(`${BASE}${path}`)
          .set('Authorization', mockCredentials.none.header());
      for (const path of [
        SAMPLING_ROUTES.jaegerStrategy,
        SAMPLING_ROUTES.jaegerStrategyAlias,
      ]) {
        const res = await anonymous(`${path}?service=orders`);
        expect(res.status).toBe(200);
        expect(res.body.strategyType).toBe('PROBABILISTIC');
        for (const under of [
          '/',
          '/anything',
          '/policies',
          '/policies/orders',
        ]) {
          expect(
            (await anonymous(`${path}${under}?service=orders`)).status,
          ).toBe(404);
        }
      }
      // the control plane's routes are not under the unauthenticated prefix
      for (const route of Object.values(SAMPLING_ROUTES)) {
        if (SAMPLING_UNAUTHENTICATED_PATHS.includes(route)) continue;
        expect(route.toLowerCase().startsWith('/sampling/')).toBe(false);
        expect(route.toLowerCase().startsWith('/api/sampling/')).toBe(false);
      }
    });
  },
);
