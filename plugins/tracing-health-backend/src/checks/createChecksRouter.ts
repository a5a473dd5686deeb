import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  CheckHistoryResponse,
  ChecksResponse,
  tracingHealthCheckRunPermission,
} from '@internal/plugin-tracing-health-common';
import express from 'express';
import Router from 'express-promise-router';
import { RunbookService } from '../runbooks/RunbookService';
import { ChecksService } from './ChecksService';
import { RunThrottledError } from './lib/OnDemandRuns';
import { renderReportMarkdown } from './report/renderReportMarkdown';

function intParam(
  value: unknown,
  name: string,
  fallback: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new InputError(`${name} must be an integer from 1 to ${max}`);
  }
  return n;
}

function dateParam(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(String(value));
  if (typeof value !== 'string' || Number.isNaN(date.getTime())) {
    throw new InputError(`${name} must be an ISO 8601 date`);
  }
  return date;
}

/**
 * Health checks, runbooks and the monthly report:
 * `GET /checks`, `GET /checks/:id`, `GET /checks/:id/history`, `POST /checks/:id/run`,
 * `GET /check-types`, `GET /runbooks`, `GET /runbooks/:id?service=`, `GET /report?month=`.
 */
export function createChecksRouter(options: {
  checks: ChecksService;
  runbooks: RunbookService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}): express.Router {
  const { checks, runbooks, httpAuth, permissions } = options;
  const router = Router();
  const readers = { allow: ['user', 'service'] as Array<'user' | 'service'> };
  // Running a check is a person's action: service tokens may read results but not run checks.
  const runners = { allow: ['user'] as Array<'user'> };

  router.get('/checks', async (req, res) => {
    await httpAuth.credentials(req, readers);
    const body: ChecksResponse = { items: await checks.list() };
    res.json(body);
  });

  router.get('/checks/:id', async (req, res) => {
    await httpAuth.credentials(req, readers);
    res.json(await checks.get(req.params.id));
  });

  router.get('/checks/:id/history', async (req, res) => {
    await httpAuth.credentials(req, readers);
    const body: CheckHistoryResponse = {
      items: await checks.history(req.params.id, {
        limit: intParam(req.query.limit, 'limit', 100, 1000),
        before: dateParam(req.query.before, 'before'),
      }),
    };
    res.json(body);
  });

  router.post('/checks/:id/run', async (req, res) => {
    const credentials = await httpAuth.credentials(req, runners);
    const [decision] = await permissions.authorize(
      [{ permission: tracingHealthCheckRunPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('You may not run health checks');
    }
    let run: { joined: boolean };
    try {
      run = await checks.triggerRun(req.params.id);
    } catch (error) {
      if (!(error instanceof RunThrottledError)) throw error;
      res
        .status(429)
        .set('Retry-After', String(error.retryAfterSeconds))
        .json({
          error: { name: error.name, message: error.message },
          response: { statusCode: 429 },
          retryAfterSeconds: error.retryAfterSeconds,
        });
      return;
    }
    res
      .status(202)
      .json({ id: req.params.id, triggered: true, joined: run.joined });
  });

  router.get('/check-types', async (req, res) => {
    await httpAuth.credentials(req, readers);
    res.json({
      items: [...checks.types.values()].map(t => ({
        type: t.type,
        description: t.description,
        runbookId: t.runbookId,
        target: t.target,
        measurements: t.measurements,
      })),
    });
  });

  router.get('/runbooks', async (req, res) => {
    await httpAuth.credentials(req, readers);
    res.json(runbooks.list());
  });

  router.get('/runbooks/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, readers);
    const service = req.query.service;
    if (service !== undefined && (typeof service !== 'string' || !service)) {
      throw new InputError('service must be a service name');
    }
    res.json(
      await runbooks.get(req.params.id, { serviceName: service, credentials }),
    );
  });

  router.get('/report', async (req, res) => {
    const credentials = await httpAuth.credentials(req, readers);
    const { month, format } = req.query;
    if (typeof month !== 'string') {
      throw new InputError('month is required, as YYYY-MM');
    }
    if (format !== undefined && format !== 'json' && format !== 'markdown') {
      throw new InputError('format must be json or markdown');
    }
    const report = await checks.report(month, credentials);
    const markdown =
      format === 'markdown' ||
      (format === undefined &&
        req.accepts(['application/json', 'text/markdown']) === 'text/markdown');
    if (markdown) {
      res
        .type('text/markdown; charset=utf-8')
        .send(renderReportMarkdown(report));
    } else {
      res.json(report);
    }
  });

  return router;
}
