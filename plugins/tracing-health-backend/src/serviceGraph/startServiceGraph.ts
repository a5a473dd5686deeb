import {
  LifecycleService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ServiceGraph } from '@internal/tracing-pipeline';
import { Knex } from 'knex';
import { Registry } from 'prom-client';
import { CoverageConfig } from '../coverage/readCoverageConfig';
import type { EmbeddedPipeline } from '../pipeline/startPipeline';
import { CatalogServices } from '../services/CatalogServices';
import { DependenciesService } from './DependenciesService';
import { ServiceGraphConfig } from './readServiceGraphConfig';
import { ServiceGraphRollups, ServiceGraphSource } from './ServiceGraphRollups';
import { ServiceGraphRollupStore } from './ServiceGraphRollupStore';

/** The pipeline workers' ServiceGraph options from `tracingHealth.serviceGraph`. */
export function serviceGraphOptions(
  config: ServiceGraphConfig,
  coverage: CoverageConfig,
) {
  return {
    waitMs: config.waitSeconds * 1000,
    maxPending: config.maxPending,
    maxEdges: config.maxEdges,
    maxServices: coverage.maxServices,
  };
}

export interface StartServiceGraphOptions {
  config: ServiceGraphConfig;
  coverage: CoverageConfig;
  knex: Knex;
  registry: Registry;
  /** Worker mode: the workers' merged graph; in-process: the pipeline whose spans to pair here. */
  embedded: Pick<EmbeddedPipeline, 'inProcess'> & {
    serviceGraph?: ServiceGraphSource;
  };
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  catalog: CatalogService;
  catalogServices: CatalogServices;
  logger: LoggerService;
}

/**
 * The service graph's backend side: the graph itself when the pipeline runs on the event loop,
 * its rollups (written every `coverage.flushIntervalSeconds` by each replica, kept as long as the
 * coverage rollups) and the dependency service the routes read.
 */
export async function startServiceGraph(options: StartServiceGraphOptions) {
  const { config, coverage, logger } = options;
  let graph = options.embedded.serviceGraph;
  if (!graph) {
    const inProcess = new ServiceGraph({
      registry: options.registry,
      ...serviceGraphOptions(config, coverage),
    });
    options.embedded.inProcess?.onSpans(batch => inProcess.record(batch));
    graph = inProcess;
  }
  const rollups = new ServiceGraphRollups({
    store: new ServiceGraphRollupStore(options.knex),
    graph,
    windowMinutes: coverage.windowMinutes,
    retentionHours: coverage.retentionHours,
    maxRows: config.maxRows,
    logger,
  });
  await rollups.start();
  await options.scheduler.scheduleTask({
    id: 'tracing-health-service-graph-rollup',
    scope: 'local',
    frequency: { seconds: coverage.flushIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: Math.min(coverage.flushIntervalSeconds, 60) },
    fn: () => rollups.flush(),
  });
  options.lifecycle.addShutdownHook(async () => {
    try {
      await rollups.flush();
    } catch (e) {
      logger.warn(`Could not write the last service graph rollup: ${e}`);
    }
  });
  const dependencies = new DependenciesService({
    rollups,
    catalog: options.catalog,
    catalogServices: options.catalogServices,
    windowMinutes: coverage.windowMinutes,
  });
  return { rollups, dependencies };
}
