import { createApiRef } from '@backstage/core-plugin-api';
import { ServicesResponse } from '@internal/plugin-tracing-health-common';

/** Reads the tracing-health backend. */
export interface TracingHealthApi {
  getServices(): Promise<ServicesResponse>;
}

export const tracingHealthApiRef = createApiRef<TracingHealthApi>({
  id: 'plugin.tracing-health.api',
});
