import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { TRACING_HEALTH_PLUGIN_ID } from '@internal/plugin-tracing-health-common';
import { migrateDatabase } from './database/migrateDatabase';
import { createMetricsRegistry } from './metrics/createMetricsRegistry';
import { createMetricsRouter } from './metrics/createMetricsRouter';
import { createRouter } from './router';
import { CatalogServices } from './services/CatalogServices';

/**
 * The tracing-health backend plugin: routes under `/api/tracing-health`. This file only wires;
 * each concern lives in its own folder.
 */
export const tracingHealthPlugin = createBackendPlugin({
  pluginId: TRACING_HEALTH_PLUGIN_ID,
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init({ logger, database, httpAuth, httpRouter, catalog }) {
        const knex = await database.getClient();
        if (!database.migrations?.skip) {
          await migrateDatabase(knex);
        }
        const registry = createMetricsRegistry();
        const catalogServices = new CatalogServices(catalog);

        httpRouter.use(createMetricsRouter(registry));
        httpRouter.use(
          await createRouter({ logger, httpAuth, catalogServices }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        httpRouter.addAuthPolicy({ path: '/metrics', allow: 'unauthenticated' });
      },
    });
  },
});
