import { createApiRef } from '@backstage/core-plugin-api';
import {
  CoverageSortKey,
  CoverageState,
  EntityCoverageResponse,
  FleetCoverageResponse,
  ServicesResponse,
} from '@internal/plugin-tracing-health-common';
import { CompoundEntityRef } from '@backstage/catalog-model';

/** Filters and order of `getFleetCoverage`; owner and system take refs or names. */
export interface FleetCoverageQuery {
  owner?: string;
  system?: string;
  state?: CoverageState[];
  sort?: CoverageSortKey;
  order?: 'asc' | 'desc';
}

/** Reads the tracing-health backend. */
export interface TracingHealthApi {
  getServices(): Promise<ServicesResponse>;
  getFleetCoverage(query?: FleetCoverageQuery): Promise<FleetCoverageResponse>;
  /** One entity's coverage with its time series over the last `hours` (default 24). */
  getEntityCoverage(
    entity: CompoundEntityRef,
    options?: { hours?: number },
  ): Promise<EntityCoverageResponse>;
}

export const tracingHealthApiRef = createApiRef<TracingHealthApi>({
  id: 'plugin.tracing-health.api',
});
