import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  BoostResponse,
  ownerBudgetSchema,
  SAMPLING_ROUTES,
  tracingHealthEmergencyPermission,
  tracingHealthSamplingBoostPermission,
  tracingHealthSamplingReadPermission,
  validateSamplingPolicyPatch,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { Registry, Gauge } from 'prom-client';
import { BUDGET_METRICS } from '@internal/plugin-tracing-health-common';
import { sendInputError } from '../../schema/inputErrors';
import { serviceNameSchema, validateReason } from '../api/validateRequests';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Clock } from '../clock';
import { SamplingControlService } from '../SamplingControlService';
import { BudgetStore } from './BudgetStore';
import { InsightsConfig } from './readInsightsConfig';
import { SamplingInsightsService } from './SamplingInsightsService';

export interface InsightsRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  control: SamplingControlService;
  directory: ServiceDirectory;
  insights: SamplingInsightsService;
  budgets: BudgetStore;
  config: InsightsConfig;
  clock: Clock;
}

const MAX_OWNER_LENGTH = 256;

/**
 * Routes of issue 16 (paths in `SAMPLING_ROUTES`): previews, kept traces by rule, downstream
 * cost and budgets for readers; boosts for the service's owners (boost permission on its
 * component; admins without one); budget changes for admins. Changes are audited and recorded
 * in the sampling history.
 */
export function createInsightsRouter(
  options: InsightsRouterOptions,
): express.Router {
  const { httpAuth, permissions, auditor, control, directory, insights } =
    options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  async function allowed(
    permission: Permission,
    credentials: BackstageCredentials,
    resourceRef?: string,
  ): Promise<boolean> {
    const [decision] = await permissions.authorize(
      [
        resourceRef
          ? { permission: permission as any, resourceRef }
          : { permission: permission as any },
      ],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  async function reader(req: Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (!(await allowed(tracingHealthSamplingReadPermission, credentials)))
      throw new NotAllowedError(
        `Not allowed: ${tracingHealthSamplingReadPermission.name}`,
      );
    return credentials;
  }

  function serviceName(req: Request): string {
    const result = validateWith(
      serviceNameSchema,
      req.params.serviceName,
      'serviceName',
    );
    if (!result.success)
      throw new InputError(result.errors.map(e => e.message).join('; '));
    return result.value;
  }

  /** Owners of the service's component (or admins, when it has none) may boost it. */
  async function mayBoost(name: string, credentials: BackstageCredentials) {
    const entity = await directory.find(name);
    if (entity?.conflictingEntities) return { ok: false, conflict: true };
    const ok = entity
      ? await allowed(
          tracingHealthSamplingBoostPermission,
          credentials,
          entity.entityRef,
        )
      : await allowed(tracingHealthEmergencyPermission, credentials);
    return { ok, conflict: false };
  }

  async function audit(
    req: Request,
    eventId: string,
    meta: Record<string, any>,
    run: () => Promise<unknown>,
  ) {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta,
    });
    try {
      const result = await run();
      await event.success({ meta: { result: (result ?? null) as any } });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error, meta });
      throw error;
    }
  }

  router.post(SAMPLING_ROUTES.policyPreview, async (req, res) => {
    await reader(req);
    const name = serviceName(req);
    const patch = validateSamplingPolicyPatch(req.body?.policy ?? {}, 'policy');
    if (!patch.success) {
      sendInputError(req, res, patch.errors, 'invalid policy');
      return;
    }
    res.json(await insights.preview(name, patch.value));
  });

  router.get(SAMPLING_ROUTES.keptTraces, async (req, res) => {
    await reader(req);
    res.json(insights.kept(serviceName(req)));
  });

  router.get(SAMPLING_ROUTES.downstreamCost, async (req, res) => {
    await reader(req);
    res.json(insights.downstream(serviceName(req)));
  });

  router.get(SAMPLING_ROUTES.boost, async (req, res) => {
    const credentials = await reader(req);
    const name = serviceName(req);
    const may =
      (credentials.principal as { type?: string }).type === 'user' &&
      (await mayBoost(name, credentials)).ok;
    const body: BoostResponse = {
      allowed: may,
      defaultMinutes: options.config.boost.defaultMinutes,
      maxMinutes: options.config.boost.maxMinutes,
    };
    const boost = await control.activeBoost(name);
    if (boost) body.boost = boost;
    res.json(body);
  });

  async function boostChanger(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const name = serviceName(req);
    const may = await mayBoost(name, credentials);
    if (may.conflict)
      throw new ConflictError(
        `several components claim service.name ${name}: it cannot be boosted until only one does`,
      );
    if (!may.ok)
      throw new NotAllowedError(
        `Not allowed: ${tracingHealthSamplingBoostPermission.name}`,
      );
    return { credentials, name };
  }

  router.post(SAMPLING_ROUTES.boost, async (req, res) => {
    const { credentials, name } = await boostChanger(req);
    const reason = validateReason(req.body, undefined);
    if (!reason.success) {
      sendInputError(req, res, reason.errors, 'a reason is required');
      return;
    }
    const { defaultMinutes, maxMinutes } = options.config.boost;
    const minutes = req.body?.durationMinutes ?? defaultMinutes;
    if (typeof minutes !== 'number' || !(minutes > 0) || minutes > maxMinutes) {
      sendInputError(
        req,
        res,
        [
          {
            path: 'durationMinutes',
            message: `must be a number in (0, ${maxMinutes}]`,
          },
        ],
        `durationMinutes must be a number in (0, ${maxMinutes}]`,
      );
      return;
    }
    const boost = await audit(
      req,
      'sampling-boost-start',
      { serviceName: name, minutes, reason: reason.value },
      () =>
        control.startBoost(
          name,
          minutes,
          credentials.principal.userEntityRef,
          reason.value,
        ),
    );
    res.status(201).json(boost);
  });

  router.delete(SAMPLING_ROUTES.boost, async (req, res) => {
    const { credentials, name } = await boostChanger(req);
    const reason = validateReason(req.body, req.query);
    if (!reason.success) {
      sendInputError(req, res, reason.errors, 'a reason is required');
      return;
    }
    const active = await control.activeBoost(name);
    if (!active) {
      res.status(404).json({
        error: { name: 'NotFoundError', message: `${name} has no boost` },
      });
      return;
    }
    const ended = await audit(
      req,
      'sampling-boost-end',
      { serviceName: name, reason: reason.value },
      () =>
        control.endBoost(
          active.id,
          credentials.principal.userEntityRef,
          reason.value,
        ),
    );
    res.json(ended ?? null);
  });

  router.get(SAMPLING_ROUTES.budgets, async (req, res) => {
    await reader(req);
    res.json({ items: await insights.budgetUsage() });
  });

  async function admin(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    if (!(await allowed(tracingHealthEmergencyPermission, credentials)))
      throw new NotAllowedError(
        `Not allowed: ${tracingHealthEmergencyPermission.name}`,
      );
    const owner = String(req.params.owner ?? '').toLocaleLowerCase('en-US');
    if (!owner || owner.length > MAX_OWNER_LENGTH)
      throw new InputError(`owner must be 1..${MAX_OWNER_LENGTH} characters`);
    return { credentials, owner };
  }

  router.put(SAMPLING_ROUTES.budget, async (req: Request, res: Response) => {
    const { credentials, owner } = await admin(req);
    const { reason: _reason, ...rest } = req.body ?? {};
    const reason = validateReason(req.body, undefined);
    const budget = ownerBudgetSchema.safeParse(rest);
    if (!reason.success || !budget.success) {
      sendInputError(
        req,
        res,
        [
          ...(reason.success ? [] : reason.errors),
          ...(budget.success
            ? []
            : budget.error.issues.map(i => ({
                path: i.path.join('.'),
                message: i.message,
              }))),
        ],
        'invalid budget',
      );
      return;
    }
    const result = await audit(
      req,
      'sampling-budget-set',
      { owner, budget: budget.data, reason: reason.value },
      () =>
        options.budgets.put(owner, budget.data, {
          actor: credentials.principal.userEntityRef,
          reason: reason.value,
          at: options.clock.now(),
        }),
    );
    res.json(result);
  });

  router.delete(SAMPLING_ROUTES.budget, async (req, res) => {
    const { credentials, owner } = await admin(req);
    const reason = validateReason(req.body, req.query);
    if (!reason.success) {
      sendInputError(req, res, reason.errors, 'a reason is required');
      return;
    }
    const before = await audit(
      req,
      'sampling-budget-delete',
      { owner, reason: reason.value },
      () =>
        options.budgets.delete(owner, {
          actor: credentials.principal.userEntityRef,
          reason: reason.value,
          at: options.clock.now(),
        }),
    );
    if (!before) {
      res.status(404).json({
        error: { name: 'NotFoundError', message: `${owner} has no API budget` },
      });
      return;
    }
    res.json(before);
  });

  return router;
}

/** Owner use and budget gauges (`BUDGET_METRICS`), computed on scrape. */
export function registerBudgetMetrics(
  registry: Registry,
  insights: SamplingInsightsService,
): void {
  const gauge = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Gauge<'owner'> | undefined) ??
    new Gauge<'owner'>({
      name,
      help,
      labelNames: ['owner'],
      registers: [registry],
    });
  const used = gauge(
    BUDGET_METRICS.usedSpansPerSecond,
    'Kept spans per second of traces rooted at the owner services (last hour).',
  );
  const budget = gauge(
    BUDGET_METRICS.budgetSpansPerSecond,
    'The owner budget in kept spans per second.',
  );
  const usedBytes = gauge(
    BUDGET_METRICS.usedBytesPerDay,
    'Kept bytes per day of traces rooted at the owner services (last hour).',
  );
  const budgetBytes = gauge(
    BUDGET_METRICS.budgetBytesPerDay,
    'The owner budget in kept bytes per day.',
  );
  // One collect fills all four (prom-client calls each gauge's collect on scrape).
  let last: Promise<void> | undefined;
  let lastAt = 0;
  const refresh = () => {
    if (last && Date.now() - lastAt < 1000) return last;
    lastAt = Date.now();
    last = insights.budgetUsage().then(items => {
      for (const g of [used, budget, usedBytes, budgetBytes]) g.reset();
      for (const u of items) {
        if (!u.budget && u.usedSpansPerSecond === 0) continue;
        used.set({ owner: u.owner }, u.usedSpansPerSecond);
        usedBytes.set({ owner: u.owner }, u.usedBytesPerDay);
        if (u.budget?.spansPerSecond !== undefined)
          budget.set({ owner: u.owner }, u.budget.spansPerSecond);
        if (u.budget?.bytesPerDay !== undefined)
          budgetBytes.set({ owner: u.owner }, u.budget.bytesPerDay);
      }
    });
    return last.catch(() => undefined);
  };
  for (const g of [used, budget, usedBytes, budgetBytes])
    (g as any).collect = refresh;
}
