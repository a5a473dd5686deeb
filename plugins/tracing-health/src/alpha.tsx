import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { TRACING_HEALTH_PLUGIN_ID } from '@internal/plugin-tracing-health-common';
import { tracingHealthApiRef, TracingHealthClient } from './api';

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
    filter: 'kind:component',
    loader: () =>
      import('./components/EntityTracingContent').then(m => (
        <m.EntityTracingContent />
      )),
  },
});

/** The tracing-health plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: TRACING_HEALTH_PLUGIN_ID,
  extensions: [tracingHealthApi, entityTracingContent],
});
