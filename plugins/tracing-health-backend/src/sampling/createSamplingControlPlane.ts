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
import { AppliedPolicyService } from './AppliedPolicyService';
import { createSamplingRouter } from './createSamplingRouter';
import { DatabasePolicySource } from './DatabasePolicySource';
import {
  readSamplingSettings,
  SamplingControlConfig,
  SamplingSettings,
} from './readSamplingConfig';
import {
  AdaptiveRateProvider,
  SamplingControlService,
} from './SamplingControlService';
import { SamplingStore } from './store/SamplingStore';
import { TraceDigests } from '@internal/tracing-pipeline';
import { BudgetStore } from './insights/BudgetStore';
import { BoostService } from './insights/BoostService';
import { SamplingInsightsService } from './insights/SamplingInsightsService';

/** What the policy source needs: it comes first, since the pipeline's samplers read it. */
export interface SamplingPoliciesOptions {
  config: Config;
  logger: LoggerService;
  knex: Knex;
  auth: AuthService;
  lifecycle: LifecycleService;
  catalogServices: CatalogServices;
  clock?: Clock;
}

/** The sampling policies as stored, and the polling source the pipeline's samplers read. */
export interface SamplingPolicies {
  /** For the pipeline's samplers: synchronous, cached, refreshed by polling. */
  policySource: DatabasePolicySource;
  store: SamplingStore;
  directory: ServiceDirectory;
  settings: SamplingSettings;
  clock: Clock;
}

export interface SamplingControlPlaneOptions {
  /** From `createSamplingPolicies`, built before the pipeline. */
  policies: SamplingPolicies;
  logger: LoggerService;
  knex: Knex;
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  scheduler: SchedulerService;
  catalogServices: CatalogServices;
  /** The adaptive sampler's computed rates (the pipeline's), for `/sampling` and the pages. */
  adaptiveRates?: AdaptiveRateProvider;
  /** What the pipeline's sampler saw of each trace (last hour), for previews and kept counts. */
  traceDigests?: TraceDigests;
}

export interface SamplingControlPlane {
  /** For the pipeline's samplers: synchronous, cached, refreshed by polling. */
  policySource: DatabasePolicySource;
  router: express.Router;
  config: SamplingControlConfig;
  /** Removes and audits expired overrides now (the scheduled task calls this). */
  removeExpired(): Promise<void>;
  /** Previews, kept traces by rule, downstream cost, budgets (issue 16). */
  insights: SamplingInsightsService;
}

/** The audit event of an expired override, boost or maintenance window. */
function expireEventId(item: { kind: string; action?: string }): string {
  if (item.kind !== 'override') return 'sampling-maintenance-expire';
  return item.action === 'boost'
    ? 'sampling-boost-expire'
    : 'sampling-override-expire';
}

/**
 * Reads the sampling settings and starts the database-backed policy source (stopped on
 * shutdown). Built before the pipeline, whose samplers read it, and before the control plane.
 */
export async function createSamplingPolicies(
  options: SamplingPoliciesOptions,
): Promise<SamplingPolicies> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const settings = readSamplingSettings(options.config);
  for (const warning of settings.ignored) logger.warn(warning);
  const store = new SamplingStore(options.knex, logger);
  const directory = new ServiceDirectory(options.catalogServices, options.auth);
  const policySource = new DatabasePolicySource({
    store,
    directory,
    config: settings.control,
    logger,
    clock,
  });
  await policySource.start();
  options.lifecycle.addShutdownHook(() => policySource.stop());
  return { policySource, store, directory, settings, clock };
}

/**
 * Wires the sampling control plane on the policies (see `createSamplingPolicies`): the routes,
 * and the scheduled task that removes and audits expired overrides (one replica per run;
 * expiry itself is enforced on read).
 */
export async function createSamplingControlPlane(
  options: SamplingControlPlaneOptions,
): Promise<SamplingControlPlane> {
  const { logger, auditor } = options;
  const { policySource, store, directory, settings, clock } = options.policies;
  const config = settings.control;
  const control = new SamplingControlService({
    store,
    directory,
    source: policySource,
    config,
    clock,
    adaptiveRates: options.adaptiveRates,
  });

  const insightsConfig = settings.insights;
  const budgets = new BudgetStore(options.knex);
  const { traceDigests } = options;
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

  const router = createSamplingRouter({
    httpAuth: options.httpAuth,
    permissions: options.permissions,
    auditor,
    directory,
    control,
    applied: new AppliedPolicyService({
      source: policySource,
      control,
      config,
      clock,
    }),
    insights,
    boosts: new BoostService({
      store,
      source: policySource,
      control,
      clock,
      config: insightsConfig.boost,
    }),
    config,
  });
  return {
    policySource,
    router,
    config,
    insights,
    removeExpired,
  };
}
