import { AuthService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { NextFunction, Request, Response } from 'express';
import { AccessConfig } from './readAccessConfig';

/** What a request does, for deciding which external token may make it. */
export type RequestClass = 'public' | 'ingest' | 'read' | 'write';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const REFUSED_ACTION: Record<RequestClass, string> = {
  public: 'call this route',
  ingest: 'send spans',
  read: 'read',
  write: 'change anything or run checks',
};

/**
 * `public`: a read of a route anyone may call (exactly one of `unauthenticatedPaths`; Backstage's
 * auth policies match prefixes, this is stricter, so a route that merely lives below a public path
 * is still guarded). `ingest`: `POST /v1/traces`. `read`: any other GET, HEAD or OPTIONS.
 * `write`: everything else.
 */
export function classifyRequest(
  method: string,
  path: string,
  unauthenticatedPaths: readonly string[],
): RequestClass {
  const upper = method.toUpperCase();
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end -= 1;
  const route = path.slice(0, end);
  if (upper === 'POST' && route === '/v1/traces') return 'ingest';
  if (!READ_METHODS.has(upper)) return 'write';
  return unauthenticatedPaths.includes(route) ? 'public' : 'read';
}

/**
 * One rule for every route of the plugin: an external-access token (a service principal whose
 * subject is not `plugin:<id>`) may only do what its subject is for. Ingest subjects may only
 * `POST /v1/traces`; read subjects may only read; no external token changes anything or triggers
 * checks. Users and other backend plugins are left to each route's own checks and permissions,
 * and unauthenticated routes stay open to everyone. Registered before every router.
 */
export function createAccessMiddleware(options: {
  auth: AuthService;
  httpAuth: HttpAuthService;
  access: AccessConfig;
  unauthenticatedPaths: readonly string[];
}) {
  const { auth, httpAuth, access, unauthenticatedPaths } = options;
  return async (req: Request, _res: Response, next: NextFunction) => {
    const kind = classifyRequest(req.method, req.path, unauthenticatedPaths);
    if (kind === 'public') {
      next();
      return;
    }
    let credentials;
    try {
      credentials = await httpAuth.credentials(req);
    } catch {
      // Invalid tokens are the credentials barrier's and the routes' to refuse (401).
      next();
      return;
    }
    if (!auth.isPrincipal(credentials, 'service')) {
      next();
      return;
    }
    const subject = credentials.principal.subject;
    if (subject.startsWith('plugin:')) {
      next();
      return;
    }
    if (kind === 'ingest' && access.ingestSubjects.has(subject)) {
      next();
      return;
    }
    if (kind === 'read' && access.readSubjects.has(subject)) {
      next();
      return;
    }
    next(
      new NotAllowedError(
        `The token of '${subject}' may not ${REFUSED_ACTION[kind]} here`,
      ),
    );
  };
}
