import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { TRACING_HEALTH_PLUGIN_ID } from '@internal/plugin-tracing-health-common';
import { createRouter } from './router';
import { CatalogServices } from './services/CatalogServices';

/** The tracing-health backend plugin: routes under `/api/tracing-health`. */
export const tracingHealthPlugin = createBackendPlugin({
  pluginId: TRACING_HEALTH_PLUGIN_ID,
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
      },
      async init({ logger, httpAuth, httpRouter, catalog }) {
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            catalogServices: new CatalogServices(catalog),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
