import { ConfigReader } from '@backstage/config';
import { ConfigValidationError } from '../config/readConfig';
import { readSamplingSettings } from './readSamplingConfig';

const read = (sampling: object) =>
  readSamplingSettings(new ConfigReader({ tracingHealth: { sampling } }));

describe('readSamplingSettings', () => {
  it('applies the defaults', () => {
    const settings = readSamplingSettings(new ConfigReader({}));
    expect(settings.control).toEqual({
      refreshSeconds: 5,
      catalogRefreshSeconds: 60,
      expiryCheckSeconds: 30,
      maxEmergencyMinutes: 1440,
      collectorSpansPerTrace: 1,
      defaults: undefined,
      tiers: {},
    });
    expect(settings.insights).toEqual({
      budgets: new Map(),
      boost: { defaultMinutes: 15, maxMinutes: 60 },
    });
    expect(settings.engine.raw).toEqual({});
    expect(settings.ignored).toEqual([]);
  });

  it('reads each key once: tier patches for the control plane, adaptive and tail for the engine', () => {
    const tail = {
      enabled: true,
      decisionWaitMs: '2000',
      policies: [
        { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
      ],
    };
    const settings = read({
      refreshSeconds: '2',
      tiers: { critical: { strategy: { type: 'probabilistic', rate: 0.5 } } },
      default: { alwaysKeep: { keepErrors: false } },
      adaptive: { intervalMs: 1000 },
      tail,
      budgets: [{ owner: 'group:default/Payments', spansPerSecond: 10 }],
      boost: { defaultMinutes: 5 },
    });
    expect(settings.control).toMatchObject({
      refreshSeconds: 2,
      tiers: { critical: { strategy: { type: 'probabilistic', rate: 0.5 } } },
      defaults: { alwaysKeep: { keepErrors: false } },
    });
    expect(settings.engine.raw).toEqual({
      adaptive: { intervalMs: 1000 },
      tail,
    });
    expect(settings.engine.config.adaptive).toEqual({ intervalMs: 1000 });
    expect(settings.engine.config.tail).toMatchObject({
      enabled: true,
      decisionWaitMs: 2000,
      policies: [{ name: 'errors', type: 'status_code' }],
    });
    expect(settings.insights.budgets.get('group:default/payments')).toEqual({
      spansPerSecond: 10,
    });
    expect(settings.insights.boost).toEqual({
      defaultMinutes: 5,
      maxMinutes: 60,
    });
  });

  it('reports the problems of every part at once, each with its key', () => {
    let error: ConfigValidationError | undefined;
    try {
      read({
        refreshSeconds: 0,
        boost: { defaultMinutes: 90 },
        tiers: { gold: {} },
        tail: { maxTraces: 0 },
      });
    } catch (e) {
      error = e as ConfigValidationError;
    }
    expect(error?.errors).toEqual([
      {
        path: 'tracingHealth.sampling.refreshSeconds',
        message: 'must be a positive number (got 0)',
      },
      {
        path: 'tracingHealth.sampling.boost.defaultMinutes',
        message: 'must be at most maxMinutes (60)',
      },
      {
        path: 'tracingHealth.sampling.tiers.gold',
        message: 'is not a tier (tiers: critical, standard, high-volume)',
      },
      {
        path: 'tracingHealth.sampling.tail.maxTraces',
        message: 'must be at least 1',
      },
    ]);
  });

  it('ignores services (per-service policies live in the portal) and says so', () => {
    const settings = read({ services: { checkout: { tier: 'critical' } } });
    expect(settings.ignored).toEqual([
      'tracingHealth.sampling.services is not used: owners store per-service policies in the portal',
    ]);
    expect(settings.engine.raw).toEqual({});
  });
});
