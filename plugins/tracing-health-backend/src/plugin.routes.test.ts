import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  SAMPLING_UNAUTHENTICATED_PATHS,
  TRACING_HEALTH_PLUGIN_ID,
} from '@internal/plugin-tracing-health-common';
import { Server } from 'node:http';
import request from 'supertest';
import { tracingHealthPlugin } from './plugin';

const BASE = `/api/${TRACING_HEALTH_PLUGIN_ID}`;

/** The only routes anyone may call without credentials (DESIGN.md, "Who may do what"). */
const PUBLIC_ROUTES = [
  ...SAMPLING_UNAUTHENTICATED_PATHS.map(path => `GET ${path}`),
  'GET /health',
  'GET /metrics',
];

interface Route {
  method: string;
  path: string;
}

/**
 * Every route the plugin serves, read from the running backend's express stack (express 4): the
 * routes mounted under `/api/tracing-health`, without Backstage's own `/.backstage/...` and
 * `/.well-known/...` routes. New routes are covered without editing this test.
 */
function pluginRoutes(server: Server): Route[] {
  const app = server.listeners('request')[0] as any;
  const routes: Route[] = [];
  const walk = (stack: any[], inPlugin: boolean) => {
    for (const layer of stack) {
      const here =
        inPlugin || String(layer.regexp).includes(TRACING_HEALTH_PLUGIN_ID);
      if (layer.route && here && typeof layer.route.path === 'string') {
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all' || layer.route.path.startsWith('/.')) continue;
          routes.push({ method: method.toUpperCase(), path: layer.route.path });
        }
      }
      if (layer.handle?.stack) walk(layer.handle.stack, here);
    }
  };
  walk(app._router.stack, false);
  return routes;
}

function send(server: Server, route: Route, path: string) {
  const agent = request(server);
  const url = `${BASE}${path}`;
  const byMethod: Record<string, (u: string) => request.Test> = {
    GET: u => agent.get(u),
    POST: u => agent.post(u),
    PUT: u => agent.put(u),
    PATCH: u => agent.patch(u),
    DELETE: u => agent.delete(u),
  };
  const call = byMethod[route.method];
  if (!call) throw new Error(`no request builder for ${route.method}`);
  return call(url).set('Authorization', mockCredentials.none.header());
}

describe('tracing-health backend: who may call what without credentials', () => {
  let server: Server;
  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        tracingHealthPlugin,
        catalogServiceMock.factory({ entities: [] }),
      ],
    }));
  });

  it('answers 401 on every route but the Jaeger strategy, its alias, /health and /metrics', async () => {
    const routes = pluginRoutes(server);
    // the walk found the plugin's routes, the sampling control plane's among them
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/services' },
        { method: 'PUT', path: '/policies/:serviceName' },
        { method: 'POST', path: '/overrides' },
        { method: 'POST', path: '/v1/traces' },
      ]),
    );
    // No route lives under an unauthenticated auth policy's path, which Backstage matches as a
    // prefix (path-to-regexp with `end: false`, case-insensitive): one there would be public.
    const covered = routes.filter(route =>
      SAMPLING_UNAUTHENTICATED_PATHS.some(
        prefix =>
          route.path.toLowerCase() === prefix ||
          route.path.toLowerCase().startsWith(`${prefix}/`),
      ),
    );
    expect(covered.map(r => `${r.method} ${r.path}`)).toEqual(
      SAMPLING_UNAUTHENTICATED_PATHS.map(path => `GET ${path}`),
    );
    const answers: string[] = [];
    for (const route of routes) {
      const path = route.path.replace(/:\w+/g, 'x');
      const res = await send(server, route, `${path}?service=x`);
      answers.push(`${route.method} ${route.path} ${res.status}`);
    }
    const notRefused = answers.filter(a => !a.endsWith(' 401'));
    expect(notRefused.map(a => a.replace(/ \d+$/, '')).sort()).toEqual(
      [...PUBLIC_ROUTES].sort(),
    );
    expect(notRefused.every(a => a.endsWith(' 200'))).toBe(true);
  });

  it('serves nothing without credentials under the unauthenticated /sampling prefixes', async () => {
    for (const prefix of SAMPLING_UNAUTHENTICATED_PATHS) {
      for (const under of [
        '/',
        '/anything',
        '/policies/x',
        '/history',
        '/overrides',
      ]) {
        for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
          const res = await send(
            server,
            { method, path: '' },
            `${prefix}${under}?service=x`,
          );
          expect([401, 404]).toContain(res.status);
        }
      }
    }
  });
});
