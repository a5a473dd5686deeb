import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import express from 'express';
import { Knex } from 'knex';
import { CatalogServices } from '../services/CatalogServices';
import { ServiceDirectory } from './catalog/ServiceDirectory';
import { Clock, systemClock } from './clock';
import { createSamplingRouter } from './createSamplingRouter';
import { DatabasePolicySource } from './DatabasePolicySource';
import {
  readSamplingSettings,
  SamplingControlConfig,
} from './readSamplingConfig';
import {
  AdaptiveRateProvider,
  SamplingControlService,
} from './SamplingControlService';
import { SamplingStore } from './store/SamplingStore';
import { TraceDigests } from '@internal/tracing-pipeline';
import { BudgetStore } from './insights/BudgetStore';
import { createInsightsRouter } from './insights/createInsightsRouter';
import { SamplingInsightsService } from './insights/SamplingInsightsService';

export interface SamplingControlPlaneOptions {
  config: Config;
  logger: LoggerService;
  knex: Knex;
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  catalogServices: CatalogServices;
  clock?: Clock;
}

export interface SamplingControlPlane {
  /** For the pipeline's samplers: synchronous, cached, refreshed by polling. */
  policySource: DatabasePolicySource;
  router: express.Router;
  config: SamplingControlConfig;
  /** Connects the adaptive sampler so `/sampling` and the pages show its computed rates. */
  setAdaptiveRateProvider(provider: AdaptiveRateProvider | undefined): void;
  /** Removes and audits expired overrides now (the scheduled task calls this). */
  removeExpired(): Promise<void>;
  /** Previews, kept traces by rule, downstream cost, budgets (issue 16). */
  insights: SamplingInsightsService;
  /** Connects the pipeline's trace digests (what the sampler saw, last hour). */
  setTraceDigests(digests: TraceDigests | undefined): void;
}

/** The audit event of an expired override, boost or maintenance window. */
function expireEventId(item: { kind: string; action?: string }): string {
  if (item.kind !== 'override') return 'sampling-maintenance-expire';
  return item.action === 'boost'
    ? 'sampling-boost-expire'
    : 'sampling-override-expire';
}

/**
 * Wires the sampling control plane: store, catalog directory, the polling policy source, the
 * routes, and the scheduled task that removes and audits expired overrides (one replica per run;
 * expiry itself is enforced on read).
 */
export async function createSamplingControlPlane(
  options: SamplingControlPlaneOptions,
): Promise<SamplingControlPlane> {
  const { logger, auditor } = options;
  const clock = options.clock ?? systemClock;
  const settings = readSamplingSettings(options.config);
  const config = settings.control;
  for (const warning of settings.ignored) logger.warn(warning);
  const store = new SamplingStore(options.knex, logger);
  const directory = new ServiceDirectory(options.catalogServices, options.auth);
  const policySource = new DatabasePolicySource({
    store,
    directory,
    config,
    logger,
    clock,
  });
  let adaptiveRates: AdaptiveRateProvider | undefined;
  const control = new SamplingControlService({
    store,
    directory,
    source: policySource,
    config,
    clock,
    adaptiveRates: { currentRate: name => adaptiveRates?.currentRate(name) },
  });

  const insightsConfig = settings.insights;
  const budgets = new BudgetStore(options.knex);
  let traceDigests: TraceDigests | undefined;
  const insights = new SamplingInsightsService({
    source: policySource,
    store,
    budgets,
    config,
    insights: insightsConfig,
    catalogServices: options.catalogServices,
    auth: options.auth,
    clock,
    digests: () => traceDigests,
  });

  await policySource.start();
  options.lifecycle.addShutdownHook(() => policySource.stop());

  const removeExpired = async () => {
    const removed = await control.removeExpired();
    const items = [
      ...removed.overrides.map(o => ({ kind: 'override', ...o })),
      ...(removed.maintenance
        ? [{ kind: 'maintenance', ...removed.maintenance }]
        : []),
    ];
    for (const item of items) {
      const event = await auditor.createEvent({
        eventId: expireEventId(item),
        severityLevel: 'medium',
        meta: { actor: 'system', before: item as any, after: null },
      });
      await event.success();
      logger.info(
        `Sampling ${item.kind} expired at ${item.expiresAt}: ${item.reason}`,
      );
    }
  };

  await options.scheduler.scheduleTask({
    id: 'tracing-health-sampling-expiry',
    frequency: { seconds: config.expiryCheckSeconds },
    timeout: { minutes: 1 },
    scope: 'global',
    fn: removeExpired,
  });

  const router = express.Router();
  router.use(
    createInsightsRouter({
      httpAuth: options.httpAuth,
      permissions: options.permissions,
      auditor,
      control,
      directory,
      insights,
      budgets,
      config: insightsConfig,
      clock,
    }),
  );
  router.use(
    createSamplingRouter({
      httpAuth: options.httpAuth,
      permissions: options.permissions,
      auditor,
      control,
      source: policySource,
      store,
      directory,
      config,
      clock,
    }),
  );
  return {
    policySource,
    router,
    config,
    insights,
    setTraceDigests: digests => {
      traceDigests = digests;
    },
    setAdaptiveRateProvider: provider => {
      adaptiveRates = provider;
    },
    removeExpired,
  };
}
