import { InputError, NotFoundError } from '@backstage/errors';
import {
  SAMPLING_ROUTES,
  validateSamplingPolicyPatch,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { validOrThrow } from '../../schema/inputErrors';
import { auditValue, ChangeAuditor } from '../api/auditChange';
import { actorOf, SamplingAccess } from '../api/SamplingAccess';
import {
  serviceNameSchema,
  validateBoostMinutes,
  validateBudgetRequest,
  validateReason,
} from '../api/validateRequests';
import { BoostService } from './BoostService';
import { StoredBudget } from './BudgetStore';
import { SamplingInsightsService } from './SamplingInsightsService';

export interface InsightsRouterOptions {
  access: SamplingAccess;
  audited: ChangeAuditor;
  insights: SamplingInsightsService;
  boosts: BoostService;
}

const MAX_OWNER_LENGTH = 256;

function serviceNameParam(req: Request): string {
  const result = validateWith(
    serviceNameSchema,
    req.params.serviceName,
    'serviceName',
  );
  if (!result.success)
    throw new InputError(
      result.errors.map(e => `${e.path}: ${e.message}`).join('; '),
    );
  return result.value;
}

function ownerParam(req: Request): string {
  const owner = String(req.params.owner ?? '').toLocaleLowerCase('en-US');
  if (!owner || owner.length > MAX_OWNER_LENGTH)
    throw new InputError(`owner must be 1..${MAX_OWNER_LENGTH} characters`);
  return owner;
}

/**
 * Routes of issue 16 (paths in `SAMPLING_ROUTES`): previews, kept traces by rule, downstream
 * cost and budgets for readers; boosts for the service's owners (boost permission on its
 * component; admins without one); budget changes for admins. Changes are audited and recorded
 * in the sampling history. Handlers throw; the error handlers answer.
 */
export function createInsightsRouter(
  options: InsightsRouterOptions,
): express.Router {
  const { access, audited, insights, boosts } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.post(SAMPLING_ROUTES.policyPreview, async (req, res) => {
    await access.reader(req);
    const name = serviceNameParam(req);
    const patch = validOrThrow(
      validateSamplingPolicyPatch(req.body?.policy ?? {}, 'policy'),
      'invalid policy',
    );
    res.json(await insights.preview(name, patch));
  });

  router.get(SAMPLING_ROUTES.keptTraces, async (req, res) => {
    await access.reader(req);
    res.json(insights.kept(serviceNameParam(req)));
  });

  router.get(SAMPLING_ROUTES.downstreamCost, async (req, res) => {
    await access.reader(req);
    res.json(insights.downstream(serviceNameParam(req)));
  });

  router.get(SAMPLING_ROUTES.boost, async (req, res) => {
    const credentials = await access.reader(req);
    const name = serviceNameParam(req);
    const allowed =
      (credentials.principal as { type?: string }).type === 'user' &&
      (await access.mayBoost(name, credentials)).ok;
    res.json(await boosts.status(name, allowed));
  });

  /** A person who may boost the service in the path. */
  async function booster(req: Request) {
    const credentials = await access.changer(req);
    const name = serviceNameParam(req);
    await access.authorizeBoost(name, credentials);
    return { credentials, name };
  }

  router.post(SAMPLING_ROUTES.boost, async (req, res) => {
    const { credentials, name } = await booster(req);
    const reason = validOrThrow(
      validateReason(req.body, undefined),
      'a reason is required',
    );
    const limits = boosts.limits();
    const minutes = validOrThrow(
      validateBoostMinutes(req.body, limits),
      `durationMinutes must be a number in (0, ${limits.maxMinutes}]`,
    );
    const change = {
      eventId: 'sampling-boost-start',
      severityLevel: 'medium',
      meta: { serviceName: name, minutes, reason },
    } as const;
    await audited(req, change, async () => {
      const boost = await boosts.start(
        name,
        minutes,
        actorOf(credentials),
        reason,
      );
      res.status(201).json(boost);
      return { result: auditValue(boost) };
    });
  });

  router.delete(SAMPLING_ROUTES.boost, async (req, res) => {
    const { credentials, name } = await booster(req);
    const reason = validOrThrow(
      validateReason(req.body, req.query),
      'a reason is required',
    );
    const active = await boosts.active(name);
    if (!active) throw new NotFoundError(`${name} has no boost`);
    const change = {
      eventId: 'sampling-boost-end',
      severityLevel: 'medium',
      meta: { serviceName: name, reason },
    } as const;
    await audited(req, change, async () => {
      const ended = await boosts.end(active.id, actorOf(credentials), reason);
      res.json(ended ?? null);
      return { result: auditValue(ended ?? null) };
    });
  });

  router.get(SAMPLING_ROUTES.budgets, async (req, res) => {
    await access.reader(req);
    res.json({ items: await insights.budgetUsage() });
  });

  /** An admin changing the budget of the owner in the path. */
  async function budgetAdmin(req: Request) {
    const credentials = await access.changer(req);
    await access.admin(credentials);
    return { credentials, owner: ownerParam(req) };
  }

  router.put(SAMPLING_ROUTES.budget, async (req, res) => {
    const { credentials, owner } = await budgetAdmin(req);
    const { budget, reason } = validOrThrow(
      validateBudgetRequest(req.body),
      'invalid budget',
    );
    const change = {
      eventId: 'sampling-budget-set',
      severityLevel: 'medium',
      meta: { owner, budget: auditValue(budget), reason },
    } as const;
    await audited(req, change, async () => {
      const result = await insights.setBudget(
        owner,
        budget,
        actorOf(credentials),
        reason,
      );
      res.json(result);
      return { result: auditValue(result) };
    });
  });

  router.delete(SAMPLING_ROUTES.budget, async (req, res) => {
    const { credentials, owner } = await budgetAdmin(req);
    const reason = validOrThrow(
      validateReason(req.body, req.query),
      'a reason is required',
    );
    const change = {
      eventId: 'sampling-budget-delete',
      severityLevel: 'medium',
      meta: { owner, reason },
    } as const;
    // Deleting a budget that is not there is recorded (a no-op), then answers 404.
    let before: StoredBudget | undefined;
    await audited(req, change, async () => {
      before = await insights.deleteBudget(owner, actorOf(credentials), reason);
      if (before) res.json(before);
      return { result: auditValue(before ?? null) };
    });
    if (!before) throw new NotFoundError(`${owner} has no API budget`);
  });

  return router;
}
