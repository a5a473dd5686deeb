import {
  TracedServiceInfo,
  TracingTier,
} from '@internal/plugin-tracing-health-common';
import { toServiceEntityMap } from './ServiceDirectory';

function claim(
  entityRef: string,
  serviceName: string,
  tier: TracingTier,
): TracedServiceInfo {
  const name = entityRef.split('/')[1];
  return {
    entityRef,
    name,
    namespace: 'default',
    settings: {
      optedIn: true,
      serviceName,
      serviceNameSource: 'annotation',
      tier,
      tierSource: 'annotation',
      errors: [],
    },
  };
}

describe('toServiceEntityMap', () => {
  it('gives a service.name the tier of the one component that claims it', () => {
    const map = toServiceEntityMap([
      claim('component:default/checkout', 'checkout', 'critical'),
    ]);
    expect(map.get('checkout')).toEqual({
      serviceName: 'checkout',
      entityRef: 'component:default/checkout',
      tier: 'critical',
      optedIn: true,
    });
  });

  it('keeps the tier all claimants agree on', () => {
    const map = toServiceEntityMap([
      claim('component:default/checkout', 'checkout', 'critical'),
      claim('component:default/checkout-v2', 'checkout', 'critical'),
    ]);
    expect(map.get('checkout')).toMatchObject({
      tier: 'critical',
      conflictingEntities: [
        'component:default/checkout',
        'component:default/checkout-v2',
      ],
    });
  });

  it.each([
    ['a later ref', 'component:default/zz-claim'],
    ['an earlier ref', 'component:default/aa-claim'],
  ])(
    'does not let a component with %s change the tier of a service another one claims',
    (_, intruder) => {
      const map = toServiceEntityMap([
        claim('component:default/checkout', 'checkout', 'critical'),
        claim(intruder, 'checkout', 'high-volume'),
      ]);
      expect(map.get('checkout')?.tier).toBe('standard');
      expect(map.get('checkout')?.conflictingEntities).toHaveLength(2);
    },
  );
});
