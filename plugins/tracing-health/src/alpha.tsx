import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import TimelineIcon from '@material-ui/icons/Timeline';
import { TRACING_HEALTH_PLUGIN_ID } from '@internal/plugin-tracing-health-common';
import { tracingHealthApiRef, TracingHealthClient } from './api';

/** Entity predicate (compared case-insensitively): a string filter is deprecated and warns. */
const COMPONENTS = { kind: 'component' };

const tracingHealthApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: tracingHealthApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new TracingHealthClient({ discoveryApi, fetchApi }),
    }),
});

/** The Tracing tab on every component: settings when opted in, the opt-in snippet otherwise. */
const entityTracingContent = EntityContentBlueprint.make({
  name: 'tracing',
  params: {
    path: '/tracing',
    title: 'Tracing',
    filter: COMPONENTS,
    loader: () =>
      import('./components/EntityTracingContent').then(m => (
        <m.EntityTracingContent />
      )),
  },
});

const fleetRouteRef = createRouteRef();

/** The fleet page at `/tracing-health`: coverage and the other fleet-wide sections. */
const fleetPage = PageBlueprint.make({
  params: {
    path: '/tracing-health',
    title: 'Tracing Health',
    icon: <TimelineIcon />,
    routeRef: fleetRouteRef,
    loader: () => import('./components/fleet').then(m => <m.FleetPage />),
  },
});

/** Runbooks at `/tracing-health/runbooks[/:id?service=NAME]`, linked from every failed check. */
const runbookPage = PageBlueprint.make({
  name: 'runbooks',
  params: {
    path: '/tracing-health/runbooks',
    title: 'Tracing runbooks',
    loader: () => import('./components/runbooks').then(m => <m.RunbookPage />),
  },
});

/** The entity's trace coverage card for the overview page. */
const entityCoverageCard = EntityCardBlueprint.make({
  name: 'coverage',
  params: {
    filter: COMPONENTS,
    loader: () =>
      import('./components/coverage').then(m => <m.EntityCoverageCard />),
  },
});

/** The tracing-health plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: TRACING_HEALTH_PLUGIN_ID,
  routes: { fleet: fleetRouteRef },
  extensions: [
    tracingHealthApi,
    entityTracingContent,
    fleetPage,
    runbookPage,
    entityCoverageCard,
  ],
});
