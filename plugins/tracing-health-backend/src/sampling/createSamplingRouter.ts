import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  SAMPLING_ROUTES,
  SAMPLING_UNAUTHENTICATED_PATHS,
  SamplingHistoryResponse,
  SamplingOverridesResponse,
  SamplingValidationError,
  tracingHealthEmergencyPermission,
  tracingHealthSamplingReadPermission,
  tracingHealthSamplingUpdatePermission,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import { InputError } from '@backstage/errors';
import express, { NextFunction, Request, Response } from 'express';
import Router from 'express-promise-router';
import {
  serviceNameSchema,
  validateCreateOverrideRequest,
  validateEnterMaintenanceRequest,
  validateHistoryQuery,
  validateReason,
  validateUpdatePolicyRequest,
} from './api/validateRequests';
import { ServiceDirectory } from './catalog/ServiceDirectory';
import { Clock } from './clock';
import { renderCollectorConfig } from './collector/renderCollectorConfig';
import {
  gatewayResolverFromQuery,
  renderTwoTierCollectorConfig,
  TWO_TIER_TIERS,
  TwoTierTier,
} from './collector/renderTwoTierCollectorConfig';
import { sendInputError } from '../schema/inputErrors';
import { DatabasePolicySource } from './DatabasePolicySource';
import { toJaegerStrategy } from './jaeger/toJaegerStrategy';
import { SamplingControlConfig } from './readSamplingConfig';
import { SamplingControlService } from './SamplingControlService';
import { SamplingStore } from './store/SamplingStore';

export interface SamplingRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  control: SamplingControlService;
  source: DatabasePolicySource;
  store: SamplingStore;
  directory: ServiceDirectory;
  config: SamplingControlConfig;
  clock: Clock;
}

/** Paths served without credentials (register them with `httpRouter.addAuthPolicy`). */
export { SAMPLING_UNAUTHENTICATED_PATHS };

class ValidationFailed extends Error {
  constructor(readonly errors: SamplingValidationError[]) {
    super(errors.map(e => `${e.path || '(body)'}: ${e.message}`).join('; '));
    this.name = 'InputError';
  }
}

function valueOf<T>(
  result:
    | { success: true; value: T }
    | { success: false; errors: SamplingValidationError[] },
): T {
  if (!result.success) throw new ValidationFailed(result.errors);
  return result.value;
}

type JsonObject = NonNullable<AuditorServiceCreateEventOptions['meta']>;

function serviceNameParam(req: Request): string {
  return valueOf(
    validateWith(serviceNameSchema, req.params.serviceName, 'serviceName'),
  );
}

function sendValidationError(
  req: Request,
  res: Response,
  error: ValidationFailed,
) {
  sendInputError(req, res, error.errors, error.message);
}

const toJson = (value: unknown) =>
  value === undefined ? null : (value as JsonObject);

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
 *
 * The paths are declared once, in `SAMPLING_ROUTES` (-common).
 */
export function createSamplingRouter(
  options: SamplingRouterOptions,
): express.Router {
  const {
    httpAuth,
    permissions,
    auditor,
    control,
    source,
    store,
    directory,
    config,
    clock,
  } = options;
  const router = Router();
  router.use(express.json());

  async function authorize(
    permission: Permission,
    credentials: BackstageCredentials,
    resourceRef?: string,
  ) {
    const [decision] = await permissions.authorize(
      [
        resourceRef
          ? { permission: permission as any, resourceRef }
          : { permission: permission as any },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
  }

  /**
   * A service's policy may be changed by whoever the permission policy lets update its catalog
   * component; without a component there is no owner to ask, so only admins may. When several
   * components claim the service.name, its owner is unknown: nobody may (admins included; they
   * still have emergency overrides), or registering a component would take over the policy.
   */
  async function authorizePolicyChange(
    serviceName: string,
    credentials: BackstageCredentials,
  ) {
    const entity = await directory.find(serviceName);
    if (entity?.conflictingEntities) {
      throw new ConflictError(
        `service.name ${serviceName} is claimed by ${entity.conflictingEntities.join(
          ' and ',
        )}: its sampling policy cannot be changed until only one component claims it`,
      );
    }
    if (entity) {
      await authorize(
        tracingHealthSamplingUpdatePermission,
        credentials,
        entity.entityRef,
      );
    } else {
      await authorize(tracingHealthEmergencyPermission, credentials);
    }
    return entity;
  }

  async function reader(req: Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorize(tracingHealthSamplingReadPermission, credentials);
    return credentials;
  }

  /** Changes are made by people only: service tokens (e.g. the ingest token) cannot. */
  async function changer(req: Request) {
    return httpAuth.credentials(req, { allow: ['user'] });
  }

  const actorOf = (credentials: BackstageCredentials<BackstageUserPrincipal>) =>
    credentials.principal.userEntityRef;

  /**
   * Records an audit event for a change (allowed or not) and answers 400 with per-field errors
   * for invalid input; other errors go to the error handler (403, 404, ...).
   */
  async function audited(
    req: Request,
    res: Response,
    eventId: string,
    severityLevel: AuditorServiceEventSeverityLevel,
    meta: JsonObject,
    run: () => Promise<JsonObject>,
  ) {
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta,
    });
    try {
      const outcome = await run();
      await event.success({ meta: outcome });
    } catch (error) {
      await event.fail({ error: error as Error, meta });
      if (error instanceof ValidationFailed) {
        sendValidationError(req, res, error);
        return;
      }
      throw error;
    }
  }

  function jaegerStrategy(req: Request, res: Response, next: NextFunction) {
    // Express also routes `/sampling/` and `/SAMPLING` here: answer only the exact paths.
    if (!SAMPLING_UNAUTHENTICATED_PATHS.includes(req.path)) {
      next();
      return;
    }
    const service = req.query.service;
    if (typeof service !== 'string' || service.length === 0) {
      sendInputError(
        req,
        res,
        [{ path: 'service', message: 'is required' }],
        "the 'service' query parameter is required",
      );
      return;
    }
    const { resolved } = source.describe(service);
    res.setHeader('Cache-Control', 'no-store');
    res.json(
      toJaegerStrategy(
        resolved.effective,
        control.adaptiveRateFor(service, resolved.effective),
      ),
    );
  }
  router.get(SAMPLING_ROUTES.jaegerStrategy, jaegerStrategy);
  router.get(SAMPLING_ROUTES.jaegerStrategyAlias, jaegerStrategy);

  router.get('/collector-config', async (req, res) => {
    await reader(req);
    // `?layout=two-tier` (agents with the loadbalancing exporter, gateways with tail_sampling).
    const layout = req.query.layout ?? 'processors';
    if (layout !== 'processors' && layout !== 'two-tier')
      throw new InputError('layout must be processors or two-tier');
    const tier = req.query.tier;
    if (
      tier !== undefined &&
      (layout !== 'two-tier' || !TWO_TIER_TIERS.includes(tier as TwoTierTier))
    )
      throw new InputError(
        'tier must be agent or gateway, with layout=two-tier',
      );
    const twoTier =
      layout === 'two-tier'
        ? {
            resolver: gatewayResolverFromQuery(req.query),
            tier: tier as TwoTierTier | undefined,
          }
        : undefined;
    const services = source.serviceNames().map(serviceName => {
      const policy = source.describe(serviceName).resolved.effective;
      return {
        serviceName,
        policy,
        adaptiveRate: control.adaptiveRateFor(serviceName, policy),
      };
    });
    const defaultPolicy = source.describeDefault().resolved.effective;
    const input = {
      services,
      defaultPolicy: { policy: defaultPolicy },
      spansPerTrace: config.collectorSpansPerTrace,
      version: source.storedVersion(),
      generatedAt: clock.now(),
    };
    res
      .type('text/yaml; charset=utf-8')
      .send(
        twoTier
          ? renderTwoTierCollectorConfig({ ...input, ...twoTier })
          : renderCollectorConfig(input),
      );
  });

  router.get(SAMPLING_ROUTES.policies, async (req, res) => {
    await reader(req);
    const describeOne = (serviceName: string | undefined) => {
      const view = serviceName
        ? source.describe(serviceName)
        : source.describeDefault();
      const { origin, tier, ...policy } = view.resolved.effective;
      const adaptiveRate = control.adaptiveRateFor(serviceName, policy);
      return {
        serviceName,
        entityRef: view.entity?.entityRef,
        conflictingEntities: view.entity?.conflictingEntities,
        tier,
        origin,
        policy,
        sources: view.resolved.sources,
        adaptiveRate,
      };
    };
    res.json({
      version: source.storedVersion(),
      default: describeOne(undefined),
      items: source.serviceNames().map(describeOne),
    });
  });

  router.get(SAMPLING_ROUTES.policy, async (req, res) => {
    await reader(req);
    try {
      res.json(await control.describe(serviceNameParam(req)));
    } catch (error) {
      if (error instanceof ValidationFailed)
        sendValidationError(req, res, error);
      else throw error;
    }
  });

  router.put(SAMPLING_ROUTES.policy, async (req, res) => {
    const credentials = await changer(req);
    const serviceName = String(req.params.serviceName);
    await audited(
      req,
      res,
      'sampling-policy-update',
      'medium',
      { serviceName },
      async () => {
        serviceNameParam(req);
        const entity = await authorizePolicyChange(serviceName, credentials);
        const input = valueOf(validateUpdatePolicyRequest(req.body));
        const { before, after } = await control.updatePolicy(
          serviceName,
          input.policy,
          actorOf(credentials),
          input.reason,
        );
        res.json(await control.describe(serviceName));
        return {
          serviceName,
          entityRef: entity?.entityRef ?? null,
          reason: input.reason,
          before: toJson(before?.policy),
          after: toJson(after.policy),
        };
      },
    );
  });

  router.delete(SAMPLING_ROUTES.policy, async (req, res) => {
    const credentials = await changer(req);
    const serviceName = String(req.params.serviceName);
    await audited(
      req,
      res,
      'sampling-policy-reset',
      'medium',
      { serviceName },
      async () => {
        serviceNameParam(req);
        await authorizePolicyChange(serviceName, credentials);
        const reason = valueOf(validateReason(req.body, req.query));
        const before = await control.resetPolicy(
          serviceName,
          actorOf(credentials),
          reason,
        );
        if (!before)
          throw new NotFoundError(
            `${serviceName} has no stored sampling policy`,
          );
        res.json(await control.describe(serviceName));
        return {
          serviceName,
          reason,
          before: toJson(before.policy),
          after: null,
        };
      },
    );
  });

  router.get(SAMPLING_ROUTES.policyHistory, async (req, res) => {
    await reader(req);
    try {
      const serviceName = serviceNameParam(req);
      const query = valueOf(validateHistoryQuery(req.query));
      const body: SamplingHistoryResponse = {
        items: await store.listHistory({ scope: serviceName, ...query }),
      };
      res.json(body);
    } catch (error) {
      if (error instanceof ValidationFailed)
        sendValidationError(req, res, error);
      else throw error;
    }
  });

  router.get(SAMPLING_ROUTES.history, async (req, res) => {
    await reader(req);
    const query = validateHistoryQuery(req.query);
    if (!query.success) {
      sendValidationError(req, res, new ValidationFailed(query.errors));
      return;
    }
    const body: SamplingHistoryResponse = {
      items: await store.listHistory(query.value),
    };
    res.json(body);
  });

  router.get(SAMPLING_ROUTES.overrides, async (req, res) => {
    await reader(req);
    const body: SamplingOverridesResponse = {
      items: await control.listActiveOverrides(),
    };
    res.json(body);
  });

  router.post(SAMPLING_ROUTES.overrides, async (req, res) => {
    const credentials = await changer(req);
    await audited(
      req,
      res,
      'sampling-override-create',
      'high',
      {
        scope: typeof req.body?.scope === 'string' ? req.body.scope : null,
        action: typeof req.body?.action === 'string' ? req.body.action : null,
      },
      async () => {
        await authorize(tracingHealthEmergencyPermission, credentials);
        const input = valueOf(
          validateCreateOverrideRequest(req.body, config.maxEmergencyMinutes),
        );
        const override = await control.createOverride(
          input,
          actorOf(credentials),
        );
        res.status(201).json(override);
        return { reason: input.reason, before: null, after: toJson(override) };
      },
    );
  });

  router.delete(SAMPLING_ROUTES.override, async (req, res) => {
    const credentials = await changer(req);
    const id = String(req.params.id);
    await audited(
      req,
      res,
      'sampling-override-delete',
      'high',
      { overrideId: id },
      async () => {
        await authorize(tracingHealthEmergencyPermission, credentials);
        const reason = valueOf(validateReason(req.body, req.query));
        const before = await control.deleteOverride(
          id,
          actorOf(credentials),
          reason,
        );
        if (!before) throw new NotFoundError(`No active override ${id}`);
        res.json(before);
        return { reason, before: toJson(before), after: null };
      },
    );
  });

  router.get(SAMPLING_ROUTES.maintenance, async (req, res) => {
    await reader(req);
    res.json({ maintenance: await control.getMaintenance() });
  });

  router.post(SAMPLING_ROUTES.maintenance, async (req, res) => {
    const credentials = await changer(req);
    await audited(
      req,
      res,
      'sampling-maintenance-enter',
      'high',
      {},
      async () => {
        await authorize(tracingHealthEmergencyPermission, credentials);
        const input = valueOf(
          validateEnterMaintenanceRequest(req.body, config.maxEmergencyMinutes),
        );
        const { before, after } = await control.enterMaintenance(
          input,
          actorOf(credentials),
        );
        res.status(201).json({ maintenance: after });
        return {
          reason: input.reason,
          before: toJson(before),
          after: toJson(after),
        };
      },
    );
  });

  router.delete(SAMPLING_ROUTES.maintenance, async (req, res) => {
    const credentials = await changer(req);
    await audited(
      req,
      res,
      'sampling-maintenance-exit',
      'high',
      {},
      async () => {
        await authorize(tracingHealthEmergencyPermission, credentials);
        const reason = valueOf(validateReason(req.body, req.query));
        const before = await control.exitMaintenance(
          actorOf(credentials),
          reason,
        );
        if (!before) throw new NotFoundError('Maintenance mode is not on');
        res.json({ maintenance: null, ended: before });
        return { reason, before: toJson(before), after: null };
      },
    );
  });

  return router;
}
