import { EffectiveSamplingPolicyResponse } from '@internal/plugin-tracing-health-common';

/** A critical-tier service whose owners stored a 25% rate, with one history entry. */
export function samplingResponse(
  overrides: Partial<EffectiveSamplingPolicyResponse> = {},
): EffectiveSamplingPolicyResponse {
  const policy = {
    strategy: { type: 'probabilistic' as const, rate: 0.25 },
    operations: [],
    alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
    samplingLocation: 'pipeline' as const,
  };
  return {
    serviceName: 'checkout-api',
    entityRef: 'component:default/checkout',
    tier: 'critical',
    origin: 'service',
    policy,
    basePolicy: policy,
    sources: {
      strategy: 'service',
      operations: 'default',
      'alwaysKeep.keepErrors': 'default',
      'alwaysKeep.keepSlowerThanMs': 'default',
      samplingLocation: 'tier',
    },
    storedPolicy: {
      policy: { strategy: { type: 'probabilistic', rate: 0.25 } },
      updatedBy: 'user:default/carol',
      updatedAt: '2026-11-22T10:00:00.000Z',
    },
    overrides: [],
    sdkStrategy: {
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1 },
    },
    ...overrides,
  };
}

export const historyEntry = {
  id: 1,
  at: '2026-11-22T10:00:00.000Z',
  actor: 'user:default/carol',
  action: 'policy-update' as const,
  scope: 'checkout-api',
  before: null,
  after: {
    serviceName: 'checkout-api',
    policy: { strategy: { type: 'probabilistic', rate: 0.25 } },
  },
  reason: 'cost review',
};
