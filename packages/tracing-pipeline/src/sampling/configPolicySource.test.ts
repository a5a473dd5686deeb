import {
  ConfigSamplingPolicySource,
  SamplingConfigError,
  parseSamplingConfig,
  samplingStageOptionsFromConfig,
} from './configPolicySource';

describe('parseSamplingConfig', () => {
  it('accepts an empty config', () => {
    expect(parseSamplingConfig(undefined)).toEqual({
      tiers: {},
      services: {},
      adaptive: {},
      tail: { policies: [] },
    });
  });

  it('parses a full config, numbers from env strings included', () => {
    const config = parseSamplingConfig({
      default: { strategy: { type: 'probabilistic', rate: 0.2 } },
      tiers: {
        'high-volume': {
          strategy: {
            type: 'adaptive',
            targetTracesPerSecond: 5,
            minRate: 0.0001,
            maxRate: 0.05,
          },
        },
      },
      services: {
        checkout: {
          tier: 'critical',
          operations: [
            { match: { type: 'span-name', name: 'GET /health' }, rate: 0 },
          ],
        },
        search: {
          strategy: { type: 'rate-limiting', tracesPerSecond: 20 },
          alwaysKeep: { keepSlowerThanMs: null },
        },
      },
      adaptive: { intervalMs: '5000', maxIncreaseFactor: 3 },
      tail: {
        enabled: 'true',
        compactHeldSpans: false,
        decisionWaitMs: '15000',
        maxTraces: 20000,
        maxBytes: 67108864,
        decisionCache: { sampledSize: 1000, notSampledSize: 5000 },
        policies: [
          {
            name: 'vip',
            type: 'string_attribute',
            key: 'tenant',
            values: ['acme'],
          },
        ],
      },
    });
    expect(config.services.checkout.tier).toBe('critical');
    expect(config.adaptive).toEqual({ intervalMs: 5000, maxIncreaseFactor: 3 });
    expect(samplingStageOptionsFromConfig(config)).toEqual({
      compactHeldSpans: false,
      adaptive: { intervalMs: 5000, maxIncreaseFactor: 3 },
      tail: {
        enabled: true,
        decisionWaitMs: 15000,
        maxTraces: 20000,
        maxBytes: 67108864,
        decisionCache: { sampledSize: 1000, notSampledSize: 5000 },
        policies: [
          {
            name: 'vip',
            type: 'string_attribute',
            key: 'tenant',
            values: ['acme'],
          },
        ],
      },
    });
  });

  it('reports every problem with its full key path', () => {
    let error: SamplingConfigError | undefined;
    try {
      parseSamplingConfig({
        tiers: {
          gold: {},
          standard: { strategy: { type: 'probabilistic', rate: 3 } },
        },
        services: {
          checkout: { tier: 'platinum', rate: 1 },
          cart: 'fast',
        },
        tail: { maxTraces: 0, policies: [{ name: 'x', type: 'nope' }] },
      });
    } catch (e) {
      error = e as SamplingConfigError;
    }
    expect(error).toBeInstanceOf(SamplingConfigError);
    expect(error!.errors).toEqual([
      {
        path: 'tracingHealth.sampling.tiers.gold',
        message: 'is not a tier (tiers: critical, standard, high-volume)',
      },
      {
        path: 'tracingHealth.sampling.tiers.standard.strategy.rate',
        message: 'must be between 0 and 1',
      },
      {
        path: 'tracingHealth.sampling.services.checkout.tier',
        message: 'must be one of critical, standard, high-volume',
      },
      {
        path: 'tracingHealth.sampling.services.checkout.rate',
        message: 'is not a known field',
      },
      {
        path: 'tracingHealth.sampling.services.cart',
        message: 'must be an object',
      },
      {
        path: 'tracingHealth.sampling.tail.maxTraces',
        message: 'must be at least 1',
      },
    ]);
    expect(error!.message).toContain(
      'tracingHealth.sampling.tiers.gold: is not a tier',
    );
  });

  it('reports tail policy problems', () => {
    expect(() =>
      parseSamplingConfig({
        tail: { policies: [{ name: 'x', type: 'nope' }] },
      }),
    ).toThrow(
      /tracingHealth\.sampling\.tail\.policies\[0\]\.type: must be one of/,
    );
  });

  it('refuses at start-up, naming the key, regexes RE2 cannot run', () => {
    expect(() =>
      parseSamplingConfig({
        services: {
          checkout: {
            operations: [
              {
                match: {
                  type: 'span-name-regex',
                  pattern: '(?<!internal)/orders',
                },
                rate: 1,
              },
            ],
          },
        },
        tail: {
          policies: [
            {
              name: 'vip',
              type: 'string_attribute',
              key: 'tenant',
              values: ['(a)\\1'],
              regex: true,
            },
          ],
        },
      }),
    ).toThrow(
      /tracingHealth\.sampling\.services\.checkout\.operations\[0\]\.match\.pattern: must not use lookahead or lookbehind[^]*tracingHealth\.sampling\.tail\.policies\[0\]\.values\[0\]: must not use back-references/,
    );
  });

  it('rejects unknown top-level keys', () => {
    expect(() => parseSamplingConfig({ rate: 1 })).toThrow(
      'tracingHealth.sampling.rate: is not a known field',
    );
  });
});

describe('ConfigSamplingPolicySource', () => {
  const config = parseSamplingConfig({
    default: { strategy: { type: 'probabilistic', rate: 0.2 } },
    tiers: { 'high-volume': { alwaysKeep: { keepSlowerThanMs: 10_000 } } },
    services: {
      checkout: {
        tier: 'critical',
        operations: [
          { match: { type: 'span-name', name: 'GET /health' }, rate: 0 },
        ],
      },
      search: {
        strategy: { type: 'rate-limiting', tracesPerSecond: 20 },
        alwaysKeep: { keepSlowerThanMs: null },
      },
      feed: { alwaysKeep: { keepErrors: false } },
    },
  });
  const tiers: Record<string, 'critical' | 'standard' | 'high-volume'> = {
    logs: 'high-volume',
    feed: 'high-volume',
  };
  const source = new ConfigSamplingPolicySource(config, {
    tierOf: s => tiers[s],
  });

  it.each([
    [
      'a service with an entry and a tier',
      'checkout',
      {
        origin: 'service',
        tier: 'critical',
        strategy: { type: 'probabilistic', rate: 1 },
        operations: [
          { match: { type: 'span-name', name: 'GET /health' }, rate: 0 },
        ],
        alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
      },
    ],
    [
      'a service with an entry on the default',
      'search',
      {
        origin: 'service',
        strategy: { type: 'rate-limiting', tracesPerSecond: 20 },
        alwaysKeep: { keepErrors: true },
      },
    ],
    [
      'a service with an entry and a catalog tier',
      'feed',
      {
        origin: 'service',
        tier: 'high-volume',
        strategy: { type: 'probabilistic', rate: 0.01 },
        alwaysKeep: { keepErrors: false, keepSlowerThanMs: 10_000 },
      },
    ],
    [
      'a service known by its catalog tier',
      'logs',
      {
        origin: 'tier',
        tier: 'high-volume',
        strategy: { type: 'probabilistic', rate: 0.01 },
        alwaysKeep: { keepErrors: true, keepSlowerThanMs: 10_000 },
      },
    ],
  ])('resolves %s', (_, service, expected) => {
    expect(source.getPolicy(service)).toMatchObject(expected);
  });

  it('returns undefined for unknown services and a default layered over the standard tier', () => {
    expect(source.getPolicy('nobody')).toBeUndefined();
    expect(source.getDefaultPolicy()).toEqual({
      origin: 'default',
      strategy: { type: 'probabilistic', rate: 0.2 },
      operations: [],
      alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
      samplingLocation: 'pipeline',
    });
  });

  it('bumps the version on update, tier resolver change and invalidate', () => {
    const s = ConfigSamplingPolicySource.fromConfig({});
    const v0 = s.version();
    expect(s.getDefaultPolicy().strategy).toEqual({
      type: 'probabilistic',
      rate: 0.1,
    });
    s.update(
      parseSamplingConfig({
        default: { strategy: { type: 'probabilistic', rate: 0.5 } },
      }),
    );
    expect(s.version()).toBeGreaterThan(v0);
    expect(s.getDefaultPolicy().strategy).toEqual({
      type: 'probabilistic',
      rate: 0.5,
    });
    const v1 = s.version();
    s.setTierResolver(() => 'critical');
    expect(s.version()).toBeGreaterThan(v1);
    expect(s.getPolicy('x')?.strategy).toEqual({
      type: 'probabilistic',
      rate: 1,
    });
    const v2 = s.version();
    s.invalidate();
    expect(s.version()).toBeGreaterThan(v2);
  });
});
