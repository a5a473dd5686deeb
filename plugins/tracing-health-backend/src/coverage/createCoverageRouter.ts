import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  COVERAGE_SORT_KEYS,
  COVERAGE_STATES,
} from '@internal/plugin-tracing-health-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { CoverageService } from './CoverageService';

export interface CoverageRouterOptions {
  httpAuth: HttpAuthService;
  coverage: CoverageService;
  /** The longest time series served (`hours`), i.e. the rollup retention. */
  retentionHours: number;
}

/** `a,b` or repeated parameters, as a list of non-empty values. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform(v =>
    (Array.isArray(v) ? v : [v])
      .flatMap(s => s.split(','))
      .map(s => s.trim())
      .filter(Boolean),
  )
  .optional();

const fleetQuerySchema = z.object({
  owner: list,
  system: list,
  state: list.pipe(
    z
      .array(
        z.enum(COVERAGE_STATES, {
          errorMap: () => ({
            message: `must be one of ${COVERAGE_STATES.join(', ')}`,
          }),
        }),
      )
      .optional(),
  ),
  sort: z
    .enum(COVERAGE_SORT_KEYS, {
      errorMap: () => ({
        message: `must be one of ${COVERAGE_SORT_KEYS.join(', ')}`,
      }),
    })
    .default('name'),
  order: z
    .enum(['asc', 'desc'], {
      errorMap: () => ({ message: 'must be asc or desc' }),
    })
    .default('asc'),
});

function parse<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(
      result.error.issues
        .map(i => `${i.path.join('.') || 'query'}: ${i.message}`)
        .join('; '),
    );
  }
  return result.data;
}

/**
 * `GET /coverage/fleet?owner=&system=&state=&sort=&order=` and
 * `GET /coverage/entity/:namespace/:kind/:name?hours=24`, for signed-in users and services.
 */
export function createCoverageRouter(
  options: CoverageRouterOptions,
): express.Router {
  const { httpAuth, coverage, retentionHours } = options;
  const hoursSchema = z.object({
    hours: z
      .preprocess(
        v => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
        z
          .number({ invalid_type_error: 'must be a number of hours' })
          .int('must be a whole number of hours')
          .min(1, 'must be at least 1')
          .max(
            Math.floor(retentionHours),
            `must be at most ${Math.floor(retentionHours)} (the retention)`,
          ),
      )
      .default(Math.max(1, Math.min(24, Math.floor(retentionHours)))),
  });

  const router = Router();

  router.get('/coverage/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const query = parse(fleetQuerySchema, req.query);
    res.json(await coverage.fleet(credentials, query));
  });

  router.get('/coverage/entity/:namespace/:kind/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { hours } = parse(hoursSchema, req.query);
    const { namespace, kind, name } = req.params;
    const body = await coverage.entity(
      credentials,
      { namespace, kind, name },
      hours,
    );
    if (!body)
      throw new NotFoundError(
        `No entity ${kind}:${namespace}/${name} in the catalog`,
      );
    res.json(body);
  });

  return router;
}
