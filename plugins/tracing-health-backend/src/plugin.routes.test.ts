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
import { pluginRoutes, Route } from './__testUtils__/pluginRoutes';

const BASE = `/api/${TRACING_HEALTH_PLUGIN_ID}`;

/** The only routes anyone may call without credentials (DESIGN.md, "Who may do what"). */
const PUBLIC_ROUTES = [
  ...SAMPLING_UNAUTHENTICATED_PATHS.map(path => `GET ${path}`),
  'GET /health',
  'GET /metrics',
];

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
