import {
  SAMPLING_ROUTES,
  SAMPLING_UNAUTHENTICATED_PATHS,
} from '@internal/plugin-tracing-health-common';
import express, { NextFunction, Request, Response } from 'express';
import Router from 'express-promise-router';
import { RequestValidationError } from '../../schema/inputErrors';
import { collectorLayoutFromQuery } from '../api/collectorLayoutQuery';
import { SamplingAccess } from '../api/SamplingAccess';
import { AppliedPolicyService } from '../AppliedPolicyService';

/**
 * What the samplers apply now: `GET /sampling?service=NAME` (and `/api/sampling`), the Jaeger
 * remote sampling strategy, unauthenticated; `GET /collector-config` (YAML) and `GET /policies`
 * for readers.
 */
export function createAppliedPolicyRouter(options: {
  access: SamplingAccess;
  applied: AppliedPolicyService;
}): express.Router {
  const { access, applied } = options;
  const router = Router();

  function jaegerStrategy(req: Request, res: Response, next: NextFunction) {
    // Express also routes `/sampling/` and `/SAMPLING` here: answer only the exact paths.
    if (!SAMPLING_UNAUTHENTICATED_PATHS.includes(req.path)) {
      next();
      return;
    }
    const service = req.query.service;
    if (typeof service !== 'string' || service.length === 0) {
      throw new RequestValidationError(
        [{ path: 'service', message: 'is required' }],
        "the 'service' query parameter is required",
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(applied.jaegerStrategy(service));
  }
  router.get(SAMPLING_ROUTES.jaegerStrategy, jaegerStrategy);
  router.get(SAMPLING_ROUTES.jaegerStrategyAlias, jaegerStrategy);

  router.get('/collector-config', async (req, res) => {
    await access.reader(req);
    const layout = collectorLayoutFromQuery(req.query);
    res.type('text/yaml; charset=utf-8').send(applied.collectorConfig(layout));
  });

  router.get(SAMPLING_ROUTES.policies, async (req, res) => {
    await access.reader(req);
    res.json(applied.list());
  });

  return router;
}
