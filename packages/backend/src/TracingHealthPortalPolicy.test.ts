import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  tracingHealthCheckRunPermission,
  tracingHealthEmergencyPermission,
  tracingHealthSamplingReadPermission,
  tracingHealthSamplingUpdatePermission,
  SAMPLING_ROUTES,
  samplingPath,
} from '@internal/plugin-tracing-health-common';
import catalogBackend from '@backstage/plugin-catalog-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import tracingHealthBackend from '@internal/plugin-tracing-health-backend';
import path from 'node:path';
import request from 'supertest';
import permissionPolicyModule from './permissionPolicy';
import {
  ADMIN_ONLY_CATALOG_PERMISSIONS,
  TracingHealthPortalPolicy,
} from './TracingHealthPortalPolicy';

jest.setTimeout(120_000);

/** Ownership refs as the auth backend resolves them at sign-in (user + groups, org.yaml). */
const memberships: Record<string, string[]> = {
  'user:default/alice': ['user:default/alice', 'group:default/platform-team'],
  'user:default/carol': ['user:default/carol', 'group:default/payments-team'],
  'user:default/guest': ['user:default/guest', 'group:default/fulfilment-team'],
};

const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => {
    const userEntityRef = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef,
      ownershipEntityRefs: memberships[userEntityRef] ?? [userEntityRef],
    };
  },
});

/**
 * The mock auth service issues on-behalf-of tokens without the calling plugin as `actor`, which
 * the permission framework rejects for user requests between plugins; real tokens carry it.
 */
const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    const getPluginRequestToken = auth.getPluginRequestToken.bind(auth);
    auth.getPluginRequestToken = async options => {
      const principal = options.onBehalfOf.principal as {
        type: string;
        userEntityRef?: string;
      };
      if (principal.type === 'user' && principal.userEntityRef) {
        return {
          token: mockCredentials.user.token(principal.userEntityRef, {
            actor: { subject: `plugin:${plugin.getId()}` },
          }),
        };
      }
      return getPluginRequestToken(options);
    };
    return auth;
  },
});

describe('TracingHealthPortalPolicy', () => {
  const policy = new TracingHealthPortalPolicy(userInfo);
  const user = (ref: string) => ({
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [] },
  });

  it('asks the catalog whether a non-admin owns the entity', async () => {
    expect(
      await policy.handle(
        { permission: tracingHealthSamplingUpdatePermission },
        user('user:default/guest'),
      ),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: memberships['user:default/guest'] },
      },
    });
  });

  it('lets only admin group members use emergency controls; admins may change any policy', async () => {
    const alice = user('user:default/alice');
    const carol = user('user:default/carol');
    expect(
      await policy.handle(
        { permission: tracingHealthEmergencyPermission },
        alice,
      ),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(
      await policy.handle(
        { permission: tracingHealthEmergencyPermission },
        carol,
      ),
    ).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(
      await policy.handle({ permission: tracingHealthEmergencyPermission }),
    ).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(
      await policy.handle(
        { permission: tracingHealthSamplingUpdatePermission },
        alice,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('honours configured admin groups', async () => {
    const custom = new TracingHealthPortalPolicy(userInfo, [
      'group:default/Payments-Team',
    ]);
    expect(
      await custom.handle(
        { permission: tracingHealthEmergencyPermission },
        user('user:default/carol'),
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('keeps catalog entity and location creation and deletion to admins', async () => {
    for (const permission of ADMIN_ONLY_CATALOG_PERMISSIONS) {
      expect(
        await policy.handle({ permission }, user('user:default/alice')),
      ).toEqual({ result: AuthorizeResult.ALLOW });
      expect(
        await policy.handle({ permission }, user('user:default/carol')),
      ).toEqual({ result: AuthorizeResult.DENY });
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
    expect(ADMIN_ONLY_CATALOG_PERMISSIONS.map(p => p.name).sort()).toEqual([
      'catalog.entity.create',
      'catalog.entity.delete',
      'catalog.location.create',
      'catalog.location.delete',
    ]);
  });

  it('allows everything else', async () => {
    for (const permission of [
      tracingHealthSamplingReadPermission,
      tracingHealthCheckRunPermission,
    ]) {
      expect(
        await policy.handle({ permission }, user('user:default/carol')),
      ).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });
});

describe('the portal policy with the real catalog and permission backends', () => {
  const examples = path.resolve(__dirname, '../../../examples');

  it('lets owners change their services, refuses others, and keeps emergencies to admins', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogBackend,
        permissionBackend,
        permissionPolicyModule,
        tracingHealthBackend,
        userInfo.factory,
        authWithActors,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [
                { allow: ['Component', 'System', 'Group', 'User', 'Location'] },
              ],
              locations: [
                { type: 'file', target: path.join(examples, 'entities.yaml') },
                { type: 'file', target: path.join(examples, 'org.yaml') },
              ],
            },
          },
        }),
      ],
    });

    // Wait for the catalog to ingest and stitch the example entities (ownership relations).
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/inventory')
        .set('Authorization', mockCredentials.service.header());
      if (
        res.status === 200 &&
        res.body.relations?.some((r: any) => r.type === 'ownedBy')
      )
        break;
      if (Date.now() > deadline)
        throw new Error('catalog did not ingest the examples');
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    const inventory = (
      await request(server)
        .get('/api/catalog/entities/by-name/component/default/inventory')
        .set('Authorization', mockCredentials.service.header())
    ).body;
    const serviceName =
      inventory.metadata.annotations?.['tracing-health/service-name'] ??
      inventory.metadata.name;

    const put = (user: string) =>
      request(server)
        .put(
          `/api/tracing-health${samplingPath(SAMPLING_ROUTES.policy, {
            serviceName,
          })}`,
        )
        .set('Authorization', mockCredentials.user.header(user))
        .send({
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
          reason: 'load test',
        });
    expect((await put('user:default/guest')).status).toBe(200);
    expect((await put('user:default/carol')).status).toBe(403);

    const emergency = (user: string) =>
      request(server)
        .post(`/api/tracing-health${SAMPLING_ROUTES.overrides}`)
        .set('Authorization', mockCredentials.user.header(user))
        .send({
          scope: 'global',
          action: 'cap-rate',
          maxRate: 0.1,
          reason: 'x',
          expiresInMinutes: 5,
        });
    expect((await emergency('user:default/guest')).status).toBe(403);
    expect((await emergency('user:default/alice')).status).toBe(201);

    // The catalog every team shares: a non-admin can neither remove an entity nor register one.
    const removeInventory = await request(server)
      .delete(`/api/catalog/entities/by-uid/${inventory.metadata.uid}`)
      .set('Authorization', mockCredentials.user.header('user:default/carol'));
    expect(removeInventory.status).toBe(403);
    const register = await request(server)
      .post('/api/catalog/locations')
      .set('Authorization', mockCredentials.user.header('user:default/carol'))
      .send({ type: 'url', target: 'https://example.com/catalog-info.yaml' });
    expect(register.status).toBe(403);
  });
});
