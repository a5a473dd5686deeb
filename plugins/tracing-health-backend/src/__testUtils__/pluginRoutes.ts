import { TRACING_HEALTH_PLUGIN_ID } from '@internal/plugin-tracing-health-common';
import { Server } from 'node:http';

export interface Route {
  method: string;
  path: string;
}

/** The routes of an express 4 router stack, sub-routers included. */
export function routesOf(stack: any[], inPlugin = true): Route[] {
  const routes: Route[] = [];
  const walk = (layers: any[], here: boolean) => {
    for (const layer of layers) {
      const inside =
        here || String(layer.regexp).includes(TRACING_HEALTH_PLUGIN_ID);
      if (layer.route && inside && typeof layer.route.path === 'string') {
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all' || layer.route.path.startsWith('/.')) continue;
          routes.push({ method: method.toUpperCase(), path: layer.route.path });
        }
      }
      if (layer.handle?.stack) walk(layer.handle.stack, inside);
    }
  };
  walk(stack, inPlugin);
  return routes;
}

/**
 * Every route the plugin serves, read from the running backend's express stack (express 4): the
 * routes mounted under `/api/tracing-health`, without Backstage's own `/.backstage/...` and
 * `/.well-known/...` routes. New routes are covered without editing the tests that use it.
 */
export function pluginRoutes(server: Server): Route[] {
  const app = server.listeners('request')[0] as any;
  return routesOf(app._router.stack, false);
}
