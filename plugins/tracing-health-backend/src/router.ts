import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { ServicesResponse } from '@internal/plugin-tracing-health-common';
import { CatalogServices } from './services/CatalogServices';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  logger: LoggerService;
  catalogServices: CatalogServices;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, catalogServices } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/services', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const body: ServicesResponse = {
      items: await catalogServices.list(credentials),
    };
    res.json(body);
  });

  return router;
}
