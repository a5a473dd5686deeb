import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { SAMPLING_UNAUTHENTICATED_PATHS } from '@internal/plugin-tracing-health-common';
import express from 'express';
import Router from 'express-promise-router';
import { createInputErrorHandler } from '../schema/inputErrors';
import { createChangeAuditor } from './api/auditChange';
import { SamplingAccess } from './api/SamplingAccess';
import { AppliedPolicyService } from './AppliedPolicyService';
import { ServiceDirectory } from './catalog/ServiceDirectory';
import { BoostService } from './insights/BoostService';
import { createInsightsRouter } from './insights/createInsightsRouter';
import { SamplingInsightsService } from './insights/SamplingInsightsService';
import { SamplingControlConfig } from './readSamplingConfig';
import { createAppliedPolicyRouter } from './routes/createAppliedPolicyRouter';
import { createEmergencyRouter } from './routes/createEmergencyRouter';
import { createPolicyRouter } from './routes/createPolicyRouter';
import { SamplingControlService } from './SamplingControlService';

export interface SamplingRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  directory: ServiceDirectory;
  /** Stored policies, overrides, maintenance and history (fresh from the database). */
  control: SamplingControlService;
  /** What this replica's samplers apply now (cached). */
  applied: AppliedPolicyService;
  /** Previews, kept traces, downstream cost, budget use (issue 16). */
  insights: SamplingInsightsService;
  boosts: BoostService;
  config: SamplingControlConfig;
}

/** Paths served without credentials (register them with `httpRouter.addAuthPolicy`). */
export { SAMPLING_UNAUTHENTICATED_PATHS };

/**
 * The sampling control plane's routes under `/api/tracing-health`:
 *
 * - `GET /sampling?service=NAME` (and `/api/sampling`): Jaeger remote sampling, unauthenticated;
 *   exactly these two paths, nothing under them (their auth policies cover every sub-path).
 * - `GET /collector-config`: the OTel Collector `processors:` YAML (users and services);
 *   `?layout=two-tier` the agent (loadbalancing by trace id) and gateway (tail_sampling) configs.
 * - `GET /policies[/:serviceName[/history]]`, `GET /sampling-history`, `GET /overrides`,
 *   `GET /maintenance`: reads (users and services).
 * - `PUT|DELETE /policies/:serviceName`: owners (resource permission on the entity); refused
 *   (409) while several components claim the service.name.
 * - `POST /overrides`, `DELETE /overrides/:id`, `POST|DELETE /maintenance`: admins (emergency
 *   permission).
 * - Previews, kept traces, downstream cost, boosts and budgets: `createInsightsRouter`.
 *
 * The paths are declared once, in `SAMPLING_ROUTES` (-common). Handlers throw; invalid input
 * answers 400 in the one shape (`createInputErrorHandler`), other errors go to Backstage's
 * error handler (403, 404, 409, ...). Every change is audited, allowed or not.
 */
export function createSamplingRouter(
  options: SamplingRouterOptions,
): express.Router {
  const { control, applied } = options;
  const access = new SamplingAccess(options);
  const audited = createChangeAuditor(options.auditor);
  const router = Router();
  router.use(
    createInsightsRouter({
      access,
      audited,
      insights: options.insights,
      boosts: options.boosts,
    }),
  );
  router.use(express.json());
  router.use(createAppliedPolicyRouter({ access, applied }));
  router.use(createPolicyRouter({ access, audited, control }));
  router.use(
    createEmergencyRouter({
      access,
      audited,
      control,
      maxEmergencyMinutes: options.config.maxEmergencyMinutes,
    }),
  );
  router.use(createInputErrorHandler());
  return router;
}
