import express, { NextFunction, Request, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { sendInputError } from './inputErrors';
import { spec } from './openapi.generated';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const DEFAULT_BODY_LIMIT = '100kb';

/** One operation of the spec, as the middleware matches it. */
export interface SpecOperation {
  method: string;
  /** The OpenAPI path (`/policies/{serviceName}`). */
  path: string;
  /** The express path (`/policies/:serviceName`). */
  expressPath: string;
  /** A stream body (OTLP): described, not parsed nor validated. */
  rawBody: boolean;
  bodyLimit: string;
}

/** Every operation of `openapi.yaml`. */
export function specOperations(): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, any>)[method];
      if (!operation) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        expressPath: path.replace(/\{(\w+)\}/g, ':$1'),
        rawBody: operation['x-raw-body'] === true,
        bodyLimit: operation['x-body-limit'] ?? DEFAULT_BODY_LIMIT,
      });
    }
  }
  return operations;
}

function matcher(operation: SpecOperation) {
  const pattern = operation.path
    .split(/\{\w+\}/)
    .map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  const regex = new RegExp(`^${pattern}$`);
  return (req: Request) =>
    req.method === operation.method && regex.test(req.path);
}

/** `.query.hours` → `hours`, `.body.policy.rate` → `policy.rate`, `.body` → ``. */
function fieldPath(path: string | undefined): string {
  return (path ?? '')
    .replace(/^[./]?(query|params|body|headers)(?:[./]|$)/, '')
    .replace(/\//g, '.');
}

/**
 * Validates every request to an operation of `openapi.yaml` (path and query parameters, JSON
 * bodies) before the routers see it, with express-openapi-validator as
 * `createValidatedOpenApiRouter` from `@backstage/backend-openapi-utils` does. A request the spec
 * rejects gets one 400 shape on every route (`InputErrorBody`: Backstage's error body plus
 * `errors`, every problem by path). Other requests pass through untouched; the handlers
 * keep their own finer checks (which are audited). Mount it before every router.
 */
export function createOpenApiValidation(): express.Router {
  const operations = specOperations().map(operation => ({
    operation,
    matches: matcher(operation),
  }));
  const parsers = new Map<string, express.RequestHandler>();
  const parserFor = (limit: string) => {
    let parser = parsers.get(limit);
    if (!parser) {
      parser = express.json({ limit });
      parsers.set(limit, parser);
    }
    return parser;
  };

  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    const found = operations.find(o => o.matches(req));
    if (!found || found.operation.rawBody) {
      next('router');
      return;
    }
    parserFor(found.operation.bodyLimit)(req, res, next);
  });
  router.use(
    OpenApiValidator.middleware({
      apiSpec: spec as any,
      validateRequests: {
        coerceTypes: false,
        // Jaeger clients and browsers add their own parameters: unknown ones are ignored.
        allowUnknownQueryParameters: true,
      },
      validateResponses: false,
      validateSecurity: false,
      ignoreUndocumented: true,
      useRequestUrl: true,
    }),
  );
  router.use((error: any, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof OpenApiValidator.error.BadRequest)) {
      next(error);
      return;
    }
    sendInputError(
      req,
      res,
      (error.errors ?? []).map(e => ({
        path: fieldPath(e.path),
        message: e.message,
      })),
    );
  });
  return router;
}
