import { TracedServiceInfo } from '@internal/plugin-tracing-health-common';
import { createCheckHarness } from '../__testUtils__/checkHarness';
import { createServiceVolumeCheckType } from './serviceVolume';

const NOW = new Date('2026-11-22T12:00:00Z');
const MIN = 60_000;

function service(name: string, optedIn = true): TracedServiceInfo {
  return {
    entityRef: `component:default/${name}`,
    name,
    namespace: 'default',
    settings: {
      optedIn,
      serviceName: `${name}-api`,
      serviceNameSource: 'annotation',
      tier: 'standard',
      tierSource: 'default',
      errors: [],
    },
  };
}

describe('service-volume check', () => {
  const lastSeen = new Map<string, Date>();
  const rates = new Map<string, number>();
  const services = [
    service('checkout'),
    service('inventory'),
    service('search'),
    service('legacy', false),
  ];
  const type = createServiceVolumeCheckType({
    provider: () => ({
      tracesPerSecond: () => 0,
      requestsPerSecond: name => rates.get(name),
      lastSeen: name => lastSeen.get(name),
    }),
    optedInServices: async () => services.filter(s => s.settings.optedIn),
    defaultSilentAfterMinutes: 10,
  });
  let harness: Awaited<ReturnType<typeof createCheckHarness>>;

  beforeEach(async () => {
    lastSeen.clear();
    rates.clear();
    lastSeen.set('checkout-api', new Date(NOW.getTime() - 1 * MIN));
    rates.set('checkout-api', 12.5);
    lastSeen.set('inventory-api', new Date(NOW.getTime() - 2 * MIN));
    rates.set('inventory-api', 0.05);
    harness = await createCheckHarness([type], { now: () => NOW });
  });
  afterEach(() => harness.close());

  it('reports each opted-in service: flowing, never seen, below the floor', async () => {
    const result = await harness.run({
      id: 'volume',
      type: 'service-volume',
      thresholds: { requestsPerSecond: { warning: 0.1 } },
    });
    const bySubject = Object.fromEntries(
      result.measurements.map(m => [m.subject, m]),
    );
    expect(Object.keys(bySubject).sort()).toEqual([
      'checkout-api',
      'inventory-api',
      'search-api',
    ]);
    // checkout starts no traces (tracesPerSecond 0) but receives requests: its traffic counts.
    expect(bySubject['checkout-api']).toMatchObject({
      status: 'ok',
      value: 12.5,
      message: expect.stringContaining('12.50 requests/s'),
    });
    expect(bySubject['inventory-api']).toMatchObject({
      status: 'warning',
      runbookId: 'trace-data-loss',
      threshold: 0.1,
    });
    expect(bySubject['search-api']).toMatchObject({
      status: 'warning',
      runbookId: 'no-traces',
    });
  });

  it('says a service whose spans are not measured yet is arriving, not at 0/s', async () => {
    lastSeen.set('search-api', new Date(NOW.getTime() - 10_000));
    const result = await harness.run({
      id: 'volume',
      type: 'service-volume',
      thresholds: { requestsPerSecond: { warning: 0.1 } },
    });
    const search = result.measurements.find(m => m.subject === 'search-api');
    expect(search).toMatchObject({ status: 'ok' });
    expect(search!.message).toContain('spans arriving');
    expect(search!.message).not.toContain('0.00');
  });

  it('is critical for a service that stopped, with the service-silent runbook', async () => {
    lastSeen.set('search-api', new Date(NOW.getTime() - 25 * MIN));
    const result = await harness.run({ id: 'volume', type: 'service-volume' });
    expect(result).toMatchObject({
      status: 'critical',
      runbookId: 'service-silent',
    });
    expect(result.message).toContain('search-api');
    expect(result.message).toContain('25 min ago');
  });

  it('narrows to the configured service and honours silentAfterMinutes', async () => {
    lastSeen.set('search-api', new Date(NOW.getTime() - 25 * MIN));
    const result = await harness.run({
      id: 'volume-search',
      type: 'service-volume',
      service: 'search-api',
      options: { silentAfterMinutes: 30 },
    });
    expect(result.measurements).toHaveLength(1);
    expect(result).toMatchObject({ status: 'ok', service: 'search-api' });
  });
});
