import {
  AuthService,
  HttpAuthService,
  HttpRouterService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { createAccessMiddleware } from './createAccessMiddleware';
import { readAccessConfig } from './readAccessConfig';

/**
 * The plugin's access rules, in one place: the routes anyone may call (Backstage auth policies)
 * and the middleware that keeps each external token to its use. Call it before adding any
 * router, so the middleware runs first.
 */
export function registerAccessControl(options: {
  config: Config;
  auth: AuthService;
  httpAuth: HttpAuthService;
  httpRouter: HttpRouterService;
  /** Paths (and everything below them) that need no credentials. */
  unauthenticatedPaths: readonly string[];
}) {
  const { config, auth, httpAuth, httpRouter, unauthenticatedPaths } = options;
  for (const path of unauthenticatedPaths) {
    httpRouter.addAuthPolicy({ path, allow: 'unauthenticated' });
  }
  httpRouter.use(
    createAccessMiddleware({
      auth,
      httpAuth,
      access: readAccessConfig(config),
      unauthenticatedPaths,
    }),
  );
}
