import { NotFoundError } from '@backstage/errors';
import {
  SAMPLING_ROUTES,
  SamplingOverridesResponse,
} from '@internal/plugin-tracing-health-common';
import express from 'express';
import Router from 'express-promise-router';
import { validOrThrow } from '../../schema/inputErrors';
import { auditValue, ChangeAuditor } from '../api/auditChange';
import { actorOf, SamplingAccess } from '../api/SamplingAccess';
import {
  validateCreateOverrideRequest,
  validateEnterMaintenanceRequest,
  validateReason,
} from '../api/validateRequests';
import { SamplingControlService } from '../SamplingControlService';

const stringOrNull = (value: unknown) =>
  typeof value === 'string' ? value : null;

/**
 * Emergency controls: `GET /overrides` and `GET /maintenance` for readers; `POST /overrides`,
 * `DELETE /overrides/:id` and `POST|DELETE /maintenance` for admins (emergency permission).
 */
export function createEmergencyRouter(options: {
  access: SamplingAccess;
  audited: ChangeAuditor;
  control: SamplingControlService;
  maxEmergencyMinutes: number;
}): express.Router {
  const { access, audited, control, maxEmergencyMinutes } = options;
  const router = Router();

  router.get(SAMPLING_ROUTES.overrides, async (req, res) => {
    await access.reader(req);
    const body: SamplingOverridesResponse = {
      items: await control.listActiveOverrides(),
    };
    res.json(body);
  });

  router.post(SAMPLING_ROUTES.overrides, async (req, res) => {
    const credentials = await access.changer(req);
    const change = {
      eventId: 'sampling-override-create',
      severityLevel: 'high',
      meta: {
        scope: stringOrNull(req.body?.scope),
        action: stringOrNull(req.body?.action),
      },
    } as const;
    await audited(req, change, async () => {
      await access.admin(credentials);
      const input = validOrThrow(
        validateCreateOverrideRequest(req.body, maxEmergencyMinutes),
      );
      const override = await control.createOverride(
        input,
        actorOf(credentials),
      );
      res.status(201).json(override);
      return {
        reason: input.reason,
        before: null,
        after: auditValue(override),
      };
    });
  });

  router.delete(SAMPLING_ROUTES.override, async (req, res) => {
    const credentials = await access.changer(req);
    const id = String(req.params.id);
    const change = {
      eventId: 'sampling-override-delete',
      severityLevel: 'high',
      meta: { overrideId: id },
    } as const;
    await audited(req, change, async () => {
      await access.admin(credentials);
      const reason = validOrThrow(validateReason(req.body, req.query));
      const before = await control.deleteOverride(
        id,
        actorOf(credentials),
        reason,
      );
      if (!before) throw new NotFoundError(`No active override ${id}`);
      res.json(before);
      return { reason, before: auditValue(before), after: null };
    });
  });

  router.get(SAMPLING_ROUTES.maintenance, async (req, res) => {
    await access.reader(req);
    res.json({ maintenance: await control.getMaintenance() });
  });

  router.post(SAMPLING_ROUTES.maintenance, async (req, res) => {
    const credentials = await access.changer(req);
    const change = {
      eventId: 'sampling-maintenance-enter',
      severityLevel: 'high',
      meta: {},
    } as const;
    await audited(req, change, async () => {
      await access.admin(credentials);
      const input = validOrThrow(
        validateEnterMaintenanceRequest(req.body, maxEmergencyMinutes),
      );
      const { before, after } = await control.enterMaintenance(
        input,
        actorOf(credentials),
      );
      res.status(201).json({ maintenance: after });
      return {
        reason: input.reason,
        before: auditValue(before),
        after: auditValue(after),
      };
    });
  });

  router.delete(SAMPLING_ROUTES.maintenance, async (req, res) => {
    const credentials = await access.changer(req);
    const change = {
      eventId: 'sampling-maintenance-exit',
      severityLevel: 'high',
      meta: {},
    } as const;
    await audited(req, change, async () => {
      await access.admin(credentials);
      const reason = validOrThrow(validateReason(req.body, req.query));
      const before = await control.exitMaintenance(
        actorOf(credentials),
        reason,
      );
      if (!before) throw new NotFoundError('Maintenance mode is not on');
      res.json({ maintenance: null, ended: before });
      return { reason, before: auditValue(before), after: null };
    });
  });

  return router;
}
