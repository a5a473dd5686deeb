import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  BoostResponse,
  EffectiveSamplingPolicyResponse,
  SAMPLING_ROUTES,
  SamplingHistoryResponse,
  SamplingPreviewResponse,
  samplingPath,
} from '@internal/plugin-tracing-health-common';
import { TraceDigests } from '@internal/tracing-pipeline';
import request from 'supertest';
import {
  ManualClock,
  startSamplingBackend,
} from '../__testUtils__/startSamplingBackend';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice'; // admin
const CAROL = 'user:default/carol'; // owns checkout
const MALLORY = 'user:default/mallory'; // owns nothing

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      annotations: {
        'tracing-health/enabled': 'true',
        'tracing-health/tier': 'standard',
      },
    },
    spec: { type: 'service', owner: 'group:default/payments-team' },
  },
];
const access = {
  ownedEntities: { [CAROL]: ['component:default/checkout'] },
  admins: [ALICE],
};
const BASE = '/api/tracing-health';
const url = (
  route: (typeof SAMPLING_ROUTES)[keyof typeof SAMPLING_ROUTES],
  params: Record<string, string> = {},
) => `${BASE}${samplingPath(route, params)}`;
const as = (user: string) => mockCredentials.user.header(user);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/** 100 traces rooted at checkout in the current minute: 10 errors, all 3 spans, 300 bytes each. */
function digestsOf(clock: ManualClock): TraceDigests {
  const digests = new TraceDigests(
    { minDigestIntervalMs: 0, startedAtMs: clock.now().getTime() - 30_000 },
    () => clock.now().getTime(),
  );
  const minute = clock.now().getTime() - (clock.now().getTime() % 60_000);
  for (let i = 0; i < 100; i++) {
    const error = i % 10 === 0;
    digests.addCounts('checkout', {
      minute,
      traces: 1,
      spans: 3,
      bytes: 300,
      keptTraces: error ? 1 : 0,
      keptSpans: error ? 3 : 0,
      keptBytes: error ? 300 : 0,
      keptByRule: error ? { error: 1 } : {},
      spansByService: { checkout: 1, payments: 2 },
      keptSpansByService: error ? { checkout: 1, payments: 2 } : {},
    });
    digests.addDigest({
      atMs: clock.now().getTime(),
      rootService: 'checkout',
      rootName: 'GET /cart',
      attributes: {},
      resourceAttributes: { 'service.name': 'checkout' },
      spans: 3,
      bytes: 300,
      services: [
        { service: 'checkout', spans: 1, error, maxDurationNs: 1e6 },
        { service: 'payments', spans: 2, error: false, maxDurationNs: 1e6 },
      ],
      kept: error,
    });
  }
  return digests;
}

describe('sampling insights routes', () => {
  async function start(config: object = {}) {
    const knex = await databases.init('SQLITE_3');
    const clock = new ManualClock(new Date('2026-12-04T10:00:30.000Z'));
    const backend = await startSamplingBackend({
      knex,
      clock,
      entities,
      access,
      config,
      traceDigests: digestsOf(clock),
    });
    return { ...backend, clock };
  }

  it('previews a candidate rate with the sampler code, kept traces by rule and downstream cost', async () => {
    const { server } = await start({
      tracingHealth: {
        sampling: {
          budgets: [
            { owner: 'group:default/payments-team', spansPerSecond: 2 },
          ],
        },
      },
    });
    const preview = await request(server)
      .post(url(SAMPLING_ROUTES.policyPreview, { serviceName: 'checkout' }))
      .set('Authorization', as(CAROL))
      .send({ policy: { strategy: { type: 'probabilistic', rate: 0.5 } } });
    expect(preview.status).toBe(200);
    const body = preview.body as SamplingPreviewResponse;
    expect(body.traces).toBe(100);
    // 10 errors kept always, 90 others at 50% (standard tier keeps errors).
    expect(body.candidate.keptFraction).toBeCloseTo((10 + 45) / 100, 6);
    expect(body.current.keptFraction).toBeCloseTo((10 + 9) / 100, 6);
    expect(body.candidate.errorShareKept).toBe(1);
    expect(body.candidate.spansPerSecond).toBeCloseTo(
      3 * body.candidate.tracesPerSecond,
      6,
    );
    // 100 traces in 30 s: 3.33 traces/s, 55% kept, 3 spans each: 5.5 spans/s > budget 2.
    expect(body.budget?.exceeded).toBe(true);

    const bad = await request(server)
      .post(url(SAMPLING_ROUTES.policyPreview, { serviceName: 'checkout' }))
      .set('Authorization', as(CAROL))
      .send({ policy: { strategy: { type: 'probabilistic', rate: 2 } } });
    expect(bad.status).toBe(400);
    // A service name that cannot be one is refused naming the parameter.
    const badName = await request(server)
      .get(url(SAMPLING_ROUTES.keptTraces, { serviceName: ' ' }))
      .set('Authorization', as(MALLORY));
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toMatch(/^serviceName: /);

    const kept = await request(server)
      .get(url(SAMPLING_ROUTES.keptTraces, { serviceName: 'checkout' }))
      .set('Authorization', as(MALLORY));
    expect(kept.body).toMatchObject({
      traces: 100,
      keptTraces: 10,
      byRule: { error: 10 },
    });

    const downstream = await request(server)
      .get(url(SAMPLING_ROUTES.downstreamCost, { serviceName: 'checkout' }))
      .set('Authorization', as(MALLORY));
    const payments = downstream.body.items.find(
      (i: any) => i.service === 'payments',
    );
    expect(payments.spansPerMinute).toBeCloseTo(400, 6); // 200 spans in 30 s
    expect(payments.keptSpansPerMinute).toBeCloseTo(40, 6);
  });

  it('lets owners boost their service (a layer, audited, expiring by itself) and refuses others with 403', async () => {
    const { server, plane, clock, auditEvents } = await start();
    const boostUrl = url(SAMPLING_ROUTES.boost, { serviceName: 'checkout' });
    const mallory = await request(server)
      .get(boostUrl)
      .set('Authorization', as(MALLORY));
    expect((mallory.body as BoostResponse).allowed).toBe(false);
    const refused = await request(server)
      .post(boostUrl)
      .set('Authorization', as(MALLORY))
      .send({ reason: 'mine now' });
    expect(refused.status).toBe(403);

    const carol = await request(server)
      .get(boostUrl)
      .set('Authorization', as(CAROL));
    expect(carol.body).toMatchObject({
      allowed: true,
      defaultMinutes: 15,
      maxMinutes: 60,
    });
    const tooLong = await request(server)
      .post(boostUrl)
      .set('Authorization', as(CAROL))
      .send({ reason: 'debugging', durationMinutes: 61 });
    expect(tooLong.status).toBe(400);
    const started = await request(server)
      .post(boostUrl)
      .set('Authorization', as(CAROL))
      .send({ reason: 'debugging a slow checkout' });
    expect(started.status).toBe(201);
    expect(Date.parse(started.body.expiresAt) - clock.now().getTime()).toBe(
      15 * 60_000,
    );

    const policyUrl = url(SAMPLING_ROUTES.policy, { serviceName: 'checkout' });
    const during = (
      await request(server).get(policyUrl).set('Authorization', as(CAROL))
    ).body as EffectiveSamplingPolicyResponse;
    expect(during.policy.strategy).toEqual({ type: 'probabilistic', rate: 1 });
    expect(during.sources.strategy).toBe('boost');
    expect(during.boost?.id).toBe(started.body.id);
    expect(during.overrides).toEqual([]);
    expect(plane.policySource.getPolicy('checkout')?.decidedBy).toEqual({
      strategy: 'boost',
      operations: 'boost',
    });

    clock.advanceMinutes(16);
    const after = (
      await request(server).get(policyUrl).set('Authorization', as(CAROL))
    ).body as EffectiveSamplingPolicyResponse;
    expect(after.policy.strategy).toEqual({ type: 'probabilistic', rate: 0.1 });
    expect(after.boost).toBeUndefined();
    await plane.removeExpired();
    const history = (
      await request(server)
        .get(url(SAMPLING_ROUTES.policyHistory, { serviceName: 'checkout' }))
        .set('Authorization', as(CAROL))
    ).body as SamplingHistoryResponse;
    expect(history.items.map(i => [i.action, i.actor])).toEqual(
      expect.arrayContaining([
        ['boost-start', CAROL],
        ['boost-expire', 'system'],
      ]),
    );
    expect(auditEvents.map(e => e.eventId)).toEqual(
      expect.arrayContaining(['sampling-boost-start', 'sampling-boost-expire']),
    );
  });

  it('lets admins set owner budgets (audited, in the history), shown with use', async () => {
    const { server, auditEvents } = await start();
    const budgetUrl = url(SAMPLING_ROUTES.budget, {
      owner: 'group:default/payments-team',
    });
    const refused = await request(server)
      .put(budgetUrl)
      .set('Authorization', as(CAROL))
      .send({ spansPerSecond: 100, reason: 'more please' });
    expect(refused.status).toBe(403);
    const invalid = await request(server)
      .put(budgetUrl)
      .set('Authorization', as(ALICE))
      .send({ reason: 'nothing' });
    expect(invalid.status).toBe(400);
    const set = await request(server)
      .put(budgetUrl)
      .set('Authorization', as(ALICE))
      .send({ spansPerSecond: 0.5, reason: 'quarterly budget' });
    expect(set.status).toBe(200);
    const list = await request(server)
      .get(url(SAMPLING_ROUTES.budgets))
      .set('Authorization', as(CAROL));
    const payments = list.body.items.find(
      (i: any) => i.owner === 'group:default/payments-team',
    );
    // 10 kept traces × 3 spans in 30 s = 1 span/s > 0.5.
    expect(payments).toMatchObject({
      source: 'api',
      services: ['checkout'],
      exceeded: true,
    });
    expect(payments.usedSpansPerSecond).toBeCloseTo(1, 6);
    expect(
      auditEvents.some(
        e => e.eventId === 'sampling-budget-set' && e.outcome === 'success',
      ),
    ).toBe(true);
  });
});
