import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import { tracingHealthPlugin } from './plugin';

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
      name: 'inventory',
      annotations: {
        'tracing-health/enabled': 'true',
        'tracing-health/tier': 'gold',
      },
    },
    spec: { type: 'service', owner: 'group:default/fulfilment-team' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'legacy-reports' },
    spec: { type: 'service', owner: 'group:default/platform-team' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'shop' },
    spec: { owner: 'group:default/catalog-team' },
  },
];

async function startBackend() {
  const { server } = await startTestBackend({
    features: [tracingHealthPlugin, catalogServiceMock.factory({ entities })],
  });
  return server;
}

describe('tracing-health backend: /services', () => {
  it('lists catalog components with their tracing settings', async () => {
    const server = await startBackend();
    const res = await request(server).get('/api/tracing-health/services');
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      res.body.items.map((i: any) => [i.name, i]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'checkout',
      'inventory',
      'legacy-reports',
    ]);
    expect(byName.checkout.entityRef).toBe('component:default/checkout');
    expect(byName.checkout.settings).toMatchObject({
      optedIn: true,
      serviceName: 'checkout-api',
      tier: 'critical',
      errors: [],
    });
    expect(byName.inventory.settings.optedIn).toBe(true);
    expect(byName.inventory.settings.tier).toBe('standard');
    expect(byName.inventory.settings.errors).toEqual([
      expect.objectContaining({
        annotation: 'tracing-health/tier',
        value: 'gold',
      }),
    ]);
    expect(byName['legacy-reports'].settings.optedIn).toBe(false);
  });

  it('answers 401 without credentials', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/tracing-health/services')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('serves /health without credentials', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/tracing-health/health')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
