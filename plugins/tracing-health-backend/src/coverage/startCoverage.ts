import {
  AuthService,
  LifecycleService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Knex } from 'knex';
import { Registry } from 'prom-client';
import { CatalogServices } from '../services/CatalogServices';
import { CoverageGauges } from './CoverageGauges';
import { CoverageRollups } from './CoverageRollups';
import { CoverageRollupStore } from './CoverageRollupStore';
import { CoverageService } from './CoverageService';
import { EffectiveRateProvider } from './EffectiveRateProvider';
import { CoverageConfig } from './readCoverageConfig';
import { SpanMetrics } from './spanMetricsTypes';

/** SpanMetrics for the plugin's registry with the configured bounds. */
export function createSpanMetrics(
  config: CoverageConfig,
  registry: Registry,
  clock?: { now(): number },
): SpanMetrics {
  return new SpanMetrics({
    registry,
    clock,
    completenessWindowMs: config.completenessWindowSeconds * 1000,
    maxTraces: config.maxTraces,
    maxServices: config.maxServices,
  });
}

export interface StartCoverageOptions {
  config: CoverageConfig;
  knex: Knex;
  registry: Registry;
  spanMetrics: Pick<SpanMetrics, 'snapshot' | 'lastSeen' | 'lastSeenByService'>;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  auth: AuthService;
  catalog: CatalogService;
  catalogServices: CatalogServices;
  logger: LoggerService;
  effectiveRates?: EffectiveRateProvider;
  clock?: { now(): number };
}

/**
 * Loads the stored rollups, then every `flushIntervalSeconds` (a local task: each replica
 * writes its own traffic) persists the span metrics and refreshes the coverage gauges.
 */
export async function startCoverage(options: StartCoverageOptions) {
  const { config, logger } = options;
  const rollups = new CoverageRollups({
    store: new CoverageRollupStore(options.knex),
    spanMetrics: options.spanMetrics,
    clock: options.clock,
    windowMinutes: config.windowMinutes,
    retentionHours: config.retentionHours,
    maxRowsPerService: config.maxRowsPerService,
    logger,
  });
  await rollups.start();
  const service = new CoverageService({
    catalogServices: options.catalogServices,
    catalog: options.catalog,
    rollups,
    config,
    clock: options.clock,
    effectiveRates: options.effectiveRates,
  });
  const gauges = new CoverageGauges(options.registry);

  await options.scheduler.scheduleTask({
    id: 'tracing-health-coverage-rollup',
    scope: 'local',
    frequency: { seconds: config.flushIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: Math.min(config.flushIntervalSeconds, 60) },
    fn: async () => {
      await rollups.flush();
      const credentials = await options.auth.getOwnServiceCredentials();
      gauges.update(
        service.coverageOf(await options.catalogServices.list(credentials)),
      );
    },
  });
  // Traces still inside their completeness window are not judged: judging them early would
  // count spans whose parents are on their way as orphans at every restart.
  options.lifecycle.addShutdownHook(async () => {
    try {
      await rollups.flush();
    } catch (e) {
      logger.warn(`Could not write the last coverage rollup: ${e}`);
    }
  });

  return { rollups, service };
}
