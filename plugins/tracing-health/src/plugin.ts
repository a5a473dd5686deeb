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

/** The fleet page, mounted at `/tracing-health` by the app. */
export const fleetRouteRef = createRouteRef({
  id: `${TRACING_HEALTH_PLUGIN_ID}-fleet`,
});

/** The runbook pages, mounted at `/tracing-health/runbooks` by the app. */
export const runbooksRouteRef = createRouteRef({
  id: `${TRACING_HEALTH_PLUGIN_ID}-runbooks`,
});

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
  routes: {
    root: rootRouteRef,
    fleet: fleetRouteRef,
    runbooks: runbooksRouteRef,
  },
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

/** The fleet page: `<Route path="/tracing-health" element={<TracingHealthPage />} />`. */
export const TracingHealthPage = tracingHealthPlugin.provide(
  createRoutableExtension({
    name: 'TracingHealthPage',
    component: () => import('./components/fleet').then(m => m.FleetPage),
    mountPoint: fleetRouteRef,
  }),
);

/** The entity's trace coverage (state, figures, 24 h charts), for the overview page. */
export const EntityTracingCoverageCard = tracingHealthPlugin.provide(
  createComponentExtension({
    name: 'EntityTracingCoverageCard',
    component: {
      lazy: () =>
        import('./components/coverage').then(m => m.EntityCoverageCard),
    },
  }),
);

/** Runbooks: `<Route path="/tracing-health/runbooks" element={<TracingHealthRunbookPage />} />`. */
export const TracingHealthRunbookPage = tracingHealthPlugin.provide(
  createRoutableExtension({
    name: 'TracingHealthRunbookPage',
    component: () => import('./components/runbooks').then(m => m.RunbookPage),
    mountPoint: runbooksRouteRef,
  }),
);
