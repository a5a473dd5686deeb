import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { DependenciesService } from './DependenciesService';

export interface DependenciesRouterOptions {
  httpAuth: HttpAuthService;
  dependencies: DependenciesService;
}

const MAX_LIMIT = 200;

/**
 * `GET /dependencies/entity/:namespace/:kind/:name` and `GET /dependencies/fleet?limit=20`, for
 * signed-in users and services (read tokens), like the coverage routes.
 */
export function createDependenciesRouter(
  options: DependenciesRouterOptions,
): express.Router {
  const { httpAuth, dependencies } = options;
  const router = Router();

  router.get('/dependencies/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const raw = req.query.limit;
    let limit = 20;
    if (raw !== undefined) {
      limit = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 1 && limit <= MAX_LIMIT))
        throw new InputError(
          `limit: must be a whole number from 1 to ${MAX_LIMIT}`,
        );
    }
    res.json(await dependencies.fleet(credentials, limit));
  });

  router.get(
    '/dependencies/entity/:namespace/:kind/:name',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { namespace, kind, name } = req.params;
      const body = await dependencies.entity(credentials, {
        namespace,
        kind,
        name,
      });
      if (!body)
        throw new NotFoundError(
          `No entity ${kind}:${namespace}/${name} in the catalog`,
        );
      res.json(body);
    },
  );

  return router;
}
