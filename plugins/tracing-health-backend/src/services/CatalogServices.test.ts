import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogServices } from './CatalogServices';

const component = (
  name: string,
  annotations: Record<string, string> = {},
  namespace = 'default',
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace, annotations },
  spec: { type: 'service', owner: 'group:default/team' },
});

describe('CatalogServices', () => {
  it('marks every component that claims a service.name another one claims, by annotation or by name', async () => {
    const catalog = catalogServiceMock({
      entities: [
        component('checkout'),
        component('checkout-copy', {
          'tracing-health/service-name': 'checkout',
        }),
        component('checkout', {}, 'other'),
        component('orders', { 'tracing-health/service-name': 'orders-api' }),
      ],
    });
    const items = await new CatalogServices(catalog).list(
      mockCredentials.service(),
    );
    const claimants = [
      'component:default/checkout',
      'component:default/checkout-copy',
      'component:other/checkout',
    ];
    expect(
      Object.fromEntries(items.map(i => [i.entityRef, i.conflictingEntities])),
    ).toEqual({
      'component:default/checkout': claimants,
      'component:default/checkout-copy': claimants,
      'component:other/checkout': claimants,
      'component:default/orders': undefined,
    });
  });
});
