import {
  EntityCoverage,
  EntityCoverageResponse,
  FleetCoverageResponse,
} from '@internal/plugin-tracing-health-common';

export const NOW = Date.parse('2026-03-01T12:00:00Z');

export function coverageItem(
  name: string,
  extra: Partial<EntityCoverage> = {},
): EntityCoverage {
  return {
    entityRef: `component:default/${name}`,
    kind: 'component',
    name,
    namespace: 'default',
    owner: 'group:default/payments-team',
    system: 'system:default/shop',
    serviceName: name,
    optedIn: true,
    tier: 'standard',
    state: 'traced',
    lastSeen: new Date(NOW - 30_000).toISOString(),
    figures: {
      spansPerSecond: 12.5,
      requestsPerSecond: 4.5,
      tracesPerSecond: 2.25,
      errorRatio: 0.034,
      p50Seconds: 0.04,
      p95Seconds: 0.182,
      p99Seconds: 0.9,
      completeness: 0.968,
      judgedTraces: 2025,
      orphanSpans: 71,
    },
    ...extra,
  };
}

/**
 * A series over `hours` in the backend's steps (4 min for 24 h, else 1 min) with traffic in the
 * last `dataMinutes` only (3 hours by default): a portal that started that long ago.
 */
export function entityResponse(
  extra: Partial<EntityCoverage> = {},
  options: { hours?: number; dataMinutes?: number } = {},
): EntityCoverageResponse {
  const hours = options.hours ?? 24;
  const dataMinutes = options.dataMinutes ?? 180;
  const stepMinutes = hours > 6 ? 4 : 1;
  const stepMs = stepMinutes * 60_000;
  const from = NOW - hours * 3_600_000;
  return {
    coverage: coverageItem('checkout', {
      effectiveSamplingRate: 0.1,
      ...extra,
    }),
    windowMinutes: 15,
    silentAfterMinutes: 10,
    series: {
      from: new Date(from).toISOString(),
      to: new Date(NOW).toISOString(),
      stepMinutes,
      points: Array.from({ length: (hours * 60) / stepMinutes }, (_, i) => {
        const busy = NOW - (from + i * stepMs) <= dataMinutes * 60_000;
        const seconds = stepMinutes * 60;
        return {
          time: new Date(from + i * stepMs).toISOString(),
          spans: busy ? seconds : 0,
          errorSpans: busy ? seconds / 100 : 0,
          traces: busy ? seconds / 5 : 0,
          requests: busy ? (seconds * 2) / 5 : 0,
          spansPerSecond: busy ? 1 : 0,
          requestsPerSecond: busy ? 0.4 : 0,
          tracesPerSecond: busy ? 0.2 : 0,
          errorRatio: busy ? 0.01 : null,
          p95Seconds: busy ? 0.2 : null,
          completeness: busy ? 0.97 : null,
          orphanSpans: busy ? 3 : 0,
        };
      }),
    },
  };
}

export const fleetResponse: FleetCoverageResponse = {
  generatedAt: new Date(NOW).toISOString(),
  windowMinutes: 15,
  silentAfterMinutes: 10,
  totals: {
    components: 4,
    optedIn: 3,
    optedInRatio: 0.75,
    optedInEmitting: 2,
    optedInEmittingRatio: 2 / 3,
    states: { traced: 2, silent: 1, untraced: 1, unregistered: 1 },
    completeness: 0.9512,
    judgedTraces: 4100,
    worstOffenders: [
      {
        entityRef: 'component:default/shipping',
        serviceName: 'shipping',
        state: 'silent',
        reason: 'silent',
      },
    ],
  },
  items: [
    coverageItem('checkout'),
    coverageItem('payments', {
      serviceName: 'payments-api',
      figures: { ...coverageItem('x').figures, completeness: 0.5 },
    }),
    coverageItem('shipping', {
      owner: 'group:default/fulfilment-team',
      system: 'system:default/fulfilment',
      state: 'silent',
      lastSeen: undefined,
      figures: {
        spansPerSecond: 0,
        requestsPerSecond: 0,
        tracesPerSecond: 0,
        judgedTraces: 0,
        orphanSpans: 0,
      },
    }),
    coverageItem('legacy-reports', {
      owner: 'group:default/platform-team',
      system: 'system:default/platform',
      optedIn: false,
      state: 'untraced',
      lastSeen: undefined,
      figures: {
        spansPerSecond: 0,
        requestsPerSecond: 0,
        tracesPerSecond: 0,
        judgedTraces: 0,
        orphanSpans: 0,
      },
    }),
  ],
  unregistered: [
    {
      serviceName: 'legacy-cron',
      lastSeen: new Date(NOW - 120_000).toISOString(),
      figures: {
        spansPerSecond: 0.5,
        requestsPerSecond: 0,
        tracesPerSecond: 0.1,
        judgedTraces: 10,
        orphanSpans: 0,
        completeness: 1,
      },
    },
  ],
};
