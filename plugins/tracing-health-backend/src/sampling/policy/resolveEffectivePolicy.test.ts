import {
  SamplingMaintenance,
  SamplingOverride,
  SamplingPolicyPatch,
} from '@internal/plugin-tracing-health-common';
import { resolveEffectivePolicy } from './resolveEffectivePolicy';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const LATER = '2026-11-22T11:00:00.000Z';
const EARLIER = '2026-11-22T09:59:59.999Z';

function override(partial: Partial<SamplingOverride>): SamplingOverride {
  return {
    id: 'o1',
    scope: 'global',
    action: 'cap-rate',
    maxRate: 0.05,
    reason: 'storm',
    createdBy: 'user:default/alice',
    createdAt: '2026-11-22T09:00:00.000Z',
    expiresAt: LATER,
    ...partial,
  };
}

const none = { overrides: [] };

describe('resolveEffectivePolicy: merge order', () => {
  it('uses the built-in default for a service without component, config or policy', () => {
    const r = resolveEffectivePolicy('x', {}, none, NOW);
    expect(r.effective).toEqual({
      strategy: { type: 'probabilistic', rate: 0.1 },
      operations: [],
      alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
      samplingLocation: 'pipeline',
      origin: 'default',
    });
    expect(Object.values(r.sources).every(s => s === 'default')).toBe(true);
  });

  it.each([
    ['critical', 1],
    ['standard', 0.1],
    ['high-volume', 0.01],
  ] as const)('applies the %s tier seed (%s)', (tier, rate) => {
    const r = resolveEffectivePolicy('x', { tier }, none, NOW);
    expect(r.effective.strategy).toEqual({ type: 'probabilistic', rate });
    expect(r.effective.origin).toBe('tier');
    expect(r.effective.tier).toBe(tier);
    expect(r.sources.strategy).toBe('tier');
    expect(r.sources.operations).toBe('default');
  });

  it('layers the tier, its config, then the stored policy, field by field', () => {
    const defaults: SamplingPolicyPatch = {
      strategy: { type: 'probabilistic', rate: 0.3 },
      samplingLocation: 'sdk',
    };
    const tierPatches = {
      critical: {
        alwaysKeep: { keepErrors: false, keepSlowerThanMs: 2000 },
      } as SamplingPolicyPatch,
    };
    const stored: SamplingPolicyPatch = {
      operations: [
        { match: { type: 'span-name', name: 'GET /health' }, rate: 0 },
      ],
      alwaysKeep: { keepSlowerThanMs: null },
    };
    const r = resolveEffectivePolicy(
      'x',
      { defaults, tierPatches, tier: 'critical', stored },
      none,
      NOW,
    );
    expect(r.effective).toEqual({
      // `default` is for services without a component: it does not reach a tiered one
      strategy: { type: 'probabilistic', rate: 1 },
      operations: stored.operations,
      alwaysKeep: { keepErrors: false },
      samplingLocation: 'pipeline',
      origin: 'service',
      tier: 'critical',
    });
    expect(r.sources).toEqual({
      strategy: 'tier',
      operations: 'service',
      'alwaysKeep.keepErrors': 'tier',
      'alwaysKeep.keepSlowerThanMs': 'service',
      samplingLocation: 'default',
    });
  });

  it('builds the policy of a service without a component from the standard tier and the config default', () => {
    const r = resolveEffectivePolicy(
      'x',
      {
        tierPatches: {
          standard: { alwaysKeep: { keepSlowerThanMs: 900 } },
          critical: { samplingLocation: 'sdk' },
        },
        defaults: { strategy: { type: 'rate-limiting', tracesPerSecond: 5 } },
      },
      none,
      NOW,
    );
    expect(r.effective).toEqual({
      strategy: { type: 'rate-limiting', tracesPerSecond: 5 },
      operations: [],
      alwaysKeep: { keepErrors: true, keepSlowerThanMs: 900 },
      samplingLocation: 'pipeline',
      origin: 'default',
    });
    expect(Object.values(r.sources).every(s => s === 'default')).toBe(true);
  });
});

describe('resolveEffectivePolicy: overrides and maintenance', () => {
  const stored: SamplingPolicyPatch = {
    strategy: { type: 'probabilistic', rate: 0.5 },
    operations: [
      { match: { type: 'span-name', name: 'checkout' }, rate: 1 },
      { match: { type: 'span-name', name: 'health' }, rate: 0.01 },
    ],
  };

  it('caps every probability at the lowest active cap and keeps always-keep rules', () => {
    const r = resolveEffectivePolicy(
      'svc',
      { tier: 'standard', stored },
      {
        overrides: [
          override({ id: 'a', maxRate: 0.2 }),
          override({ id: 'b', scope: 'svc', maxRate: 0.05 }),
          override({ id: 'c', scope: 'other', maxRate: 0.001 }),
        ],
      },
      NOW,
    );
    expect(r.effective.strategy).toEqual({ type: 'probabilistic', rate: 0.05 });
    expect(r.effective.operations.map(o => o.rate)).toEqual([0.05, 0.01]);
    expect(r.effective.alwaysKeep).toEqual({
      keepErrors: true,
      keepSlowerThanMs: 5000,
    });
    expect(r.sources.strategy).toBe('override');
    expect(r.sources.operations).toBe('override');
    expect(r.sources['alwaysKeep.keepErrors']).toBe('default');
    expect(r.overrides.map(o => o.id)).toEqual(['a', 'b']);
    expect(r.base.strategy).toEqual({ type: 'probabilistic', rate: 0.5 });
  });

  it('caps adaptive bounds, but not a rate limit', () => {
    const adaptive = resolveEffectivePolicy(
      'svc',
      {
        stored: {
          strategy: {
            type: 'adaptive',
            targetTracesPerSecond: 10,
            minRate: 0.01,
            maxRate: 1,
          },
        },
      },
      { overrides: [override({ maxRate: 0.2 })] },
      NOW,
    );
    expect(adaptive.effective.strategy).toEqual({
      type: 'adaptive',
      targetTracesPerSecond: 10,
      minRate: 0.01,
      maxRate: 0.2,
    });
    const limited = resolveEffectivePolicy(
      'svc',
      { stored: { strategy: { type: 'rate-limiting', tracesPerSecond: 7 } } },
      { overrides: [override({ maxRate: 0.2 })] },
      NOW,
    );
    expect(limited.effective.strategy).toEqual({
      type: 'rate-limiting',
      tracesPerSecond: 7,
    });
    expect(limited.sources.strategy).toBe('service');
  });

  it('disables a service entirely, errors included', () => {
    const r = resolveEffectivePolicy(
      'svc',
      { tier: 'critical', stored },
      {
        overrides: [
          override({ scope: 'svc', action: 'disable', maxRate: undefined }),
        ],
      },
      NOW,
    );
    expect(r.effective).toMatchObject({
      strategy: { type: 'probabilistic', rate: 0 },
      operations: [],
      alwaysKeep: { keepErrors: false },
    });
    expect(r.effective.alwaysKeep.keepSlowerThanMs).toBeUndefined();
    expect(r.sources['alwaysKeep.keepErrors']).toBe('override');
  });

  it('ignores overrides and maintenance past their expiry time', () => {
    const maintenance: SamplingMaintenance = {
      factor: 0.1,
      reason: 'db upgrade',
      startedBy: 'user:default/alice',
      startedAt: '2026-11-22T09:00:00.000Z',
      expiresAt: EARLIER,
    };
    const r = resolveEffectivePolicy(
      'svc',
      { stored },
      {
        overrides: [
          override({ expiresAt: EARLIER }),
          override({ expiresAt: NOW.toISOString() }),
        ],
        maintenance,
      },
      NOW,
    );
    expect(r.effective.strategy).toEqual({ type: 'probabilistic', rate: 0.5 });
    expect(r.overrides).toEqual([]);
    expect(r.maintenance).toBeUndefined();
  });

  it('applies maintenance after overrides: factor, then cap, rate limits scaled', () => {
    const maintenance: SamplingMaintenance = {
      factor: 0.5,
      maxRate: 0.1,
      reason: 'db upgrade',
      startedBy: 'user:default/alice',
      startedAt: '2026-11-22T09:00:00.000Z',
      expiresAt: LATER,
    };
    const r = resolveEffectivePolicy(
      'svc',
      { stored },
      { overrides: [override({ maxRate: 0.4 })], maintenance },
      NOW,
    );
    // 0.5 capped at 0.4 by the override, halved to 0.2, capped at 0.1 by maintenance
    expect(r.effective.strategy).toEqual({ type: 'probabilistic', rate: 0.1 });
    expect(r.effective.operations.map(o => o.rate)).toEqual([0.1, 0.005]);
    expect(r.sources.strategy).toBe('maintenance');
    expect(r.maintenance).toEqual(maintenance);

    const limited = resolveEffectivePolicy(
      'svc',
      { stored: { strategy: { type: 'rate-limiting', tracesPerSecond: 8 } } },
      { overrides: [], maintenance },
      NOW,
    );
    expect(limited.effective.strategy).toEqual({
      type: 'rate-limiting',
      tracesPerSecond: 4,
    });
  });
});
