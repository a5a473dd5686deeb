import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { TRACING_HEALTH_PLUGIN_ID } from '@internal/plugin-tracing-health-common';
import { tracingHealthApiRef, TracingHealthClient } from './api';

export const rootRouteRef = createRouteRef({ id: TRACING_HEALTH_PLUGIN_ID });

/** The tracing-health frontend plugin (legacy frontend system). */
export const tracingHealthPlugin = createPlugin({
  id: TRACING_HEALTH_PLUGIN_ID,
  apis: [
    createApiFactory({
      api: tracingHealthApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new TracingHealthClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The Tracing tab content for an entity page (`EntityLayout.Route`). */
export const EntityTracingHealthContent = tracingHealthPlugin.provide(
  createRoutableExtension({
    name: 'EntityTracingHealthContent',
    component: () =>
      import('./components/EntityTracingContent').then(
        m => m.EntityTracingContent,
      ),
    mountPoint: rootRouteRef,
  }),
);

/** A card with the entity's tracing settings, for the overview page. */
export const EntityTracingSettingsCard = tracingHealthPlugin.provide(
  createComponentExtension({
    name: 'EntityTracingSettingsCard',
    component: {
      lazy: () =>
        import('./components/EntityTracingContent/EntitySettingsCard').then(
          m => m.EntitySettingsCard,
        ),
    },
  }),
);
