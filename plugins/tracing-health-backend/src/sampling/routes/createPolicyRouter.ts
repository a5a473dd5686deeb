import { NotFoundError } from '@backstage/errors';
import {
  SAMPLING_ROUTES,
  SamplingHistoryResponse,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { validOrThrow } from '../../schema/inputErrors';
import { auditValue, ChangeAuditor } from '../api/auditChange';
import { actorOf, SamplingAccess } from '../api/SamplingAccess';
import {
  serviceNameSchema,
  validateHistoryQuery,
  validateReason,
  validateUpdatePolicyRequest,
} from '../api/validateRequests';
import { SamplingControlService } from '../SamplingControlService';

const serviceNameParam = (req: Request): string =>
  validOrThrow(
    validateWith(serviceNameSchema, req.params.serviceName, 'serviceName'),
  );

/**
 * A service's stored policy and the change history: `GET /policies/:serviceName[/history]` and
 * `GET /sampling-history` for readers; `PUT|DELETE /policies/:serviceName` for its owners
 * (resource permission on the entity), refused (409) while several components claim the
 * service.name.
 */
export function createPolicyRouter(options: {
  access: SamplingAccess;
  audited: ChangeAuditor;
  control: SamplingControlService;
}): express.Router {
  const { access, audited, control } = options;
  const router = Router();

  router.get(SAMPLING_ROUTES.policy, async (req, res) => {
    await access.reader(req);
    res.json(await control.describe(serviceNameParam(req)));
  });

  router.put(SAMPLING_ROUTES.policy, async (req, res) => {
    const credentials = await access.changer(req);
    const serviceName = String(req.params.serviceName);
    const change = {
      eventId: 'sampling-policy-update',
      severityLevel: 'medium',
      meta: { serviceName },
    } as const;
    await audited(req, change, async () => {
      serviceNameParam(req);
      const entity = await access.authorizePolicyChange(
        serviceName,
        credentials,
      );
      const input = validOrThrow(validateUpdatePolicyRequest(req.body));
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
        before: auditValue(before?.policy),
        after: auditValue(after.policy),
      };
    });
  });

  router.delete(SAMPLING_ROUTES.policy, async (req, res) => {
    const credentials = await access.changer(req);
    const serviceName = String(req.params.serviceName);
    const change = {
      eventId: 'sampling-policy-reset',
      severityLevel: 'medium',
      meta: { serviceName },
    } as const;
    await audited(req, change, async () => {
      serviceNameParam(req);
      await access.authorizePolicyChange(serviceName, credentials);
      const reason = validOrThrow(validateReason(req.body, req.query));
      const before = await control.resetPolicy(
        serviceName,
        actorOf(credentials),
        reason,
      );
      if (!before)
        throw new NotFoundError(`${serviceName} has no stored sampling policy`);
      res.json(await control.describe(serviceName));
      return {
        serviceName,
        reason,
        before: auditValue(before.policy),
        after: null,
      };
    });
  });

  router.get(SAMPLING_ROUTES.policyHistory, async (req, res) => {
    await access.reader(req);
    const scope = serviceNameParam(req);
    const query = validOrThrow(validateHistoryQuery(req.query));
    const body: SamplingHistoryResponse = {
      items: await control.listHistory({ scope, ...query }),
    };
    res.json(body);
  });

  router.get(SAMPLING_ROUTES.history, async (req, res) => {
    await access.reader(req);
    const query = validOrThrow(validateHistoryQuery(req.query));
    const body: SamplingHistoryResponse = {
      items: await control.listHistory(query),
    };
    res.json(body);
  });

  return router;
}
