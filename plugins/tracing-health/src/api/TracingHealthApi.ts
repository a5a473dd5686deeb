import { createApiRef } from '@backstage/core-plugin-api';
import {
  CheckHistoryResponse,
  ChecksResponse,
  RunbookDocument,
  RunbookListResponse,
} from '@internal/plugin-tracing-health-common';
import {
  CreateSamplingOverrideRequest,
  EffectiveSamplingPolicyResponse,
  EnterSamplingMaintenanceRequest,
  SamplingHistoryResponse,
  SamplingMaintenanceResponse,
  SamplingOverride,
  SamplingOverridesResponse,
  UpdateSamplingPolicyRequest,
  CoverageSortKey,
  CoverageState,
  EntityCoverageResponse,
  FleetCoverageResponse,
  ServicesResponse,
} from '@internal/plugin-tracing-health-common';
import type {
  ClusterStatusResponse,
  EntityDependenciesResponse,
  FleetDependenciesResponse,
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

  /** One entity's callers and callees from the service graph. */
  getEntityDependencies(
    entity: CompoundEntityRef,
  ): Promise<EntityDependenciesResponse>;
  /** The fleet's worst edges and uninstrumented dependencies. */
  getFleetDependencies(options?: {
    limit?: number;
  }): Promise<FleetDependenciesResponse>;
  /** The portal replicas as the replica that answers sees them (`enabled: false`: one replica). */
  getClusterStatus(): Promise<ClusterStatusResponse>;

  /** Configured health checks with their latest result and recent history. */
  getChecks(): Promise<ChecksResponse>;
  /** One check's runs, newest first. */
  getCheckHistory(
    checkId: string,
    options?: { limit?: number },
  ): Promise<CheckHistoryResponse>;
  /** Asks for a run now (permission `tracing-health.check.run`); results arrive shortly after. */
  runCheck(checkId: string): Promise<void>;
  getRunbooks(): Promise<RunbookListResponse>;
  /** A runbook filled in for `service` (an OTel service.name), when given. */
  getRunbook(
    id: string,
    options?: { service?: string },
  ): Promise<RunbookDocument>;

  /** The effective sampling policy of an OTel `service.name`, with sources and overrides. */
  getSamplingPolicy(
    serviceName: string,
  ): Promise<EffectiveSamplingPolicyResponse>;
  /** Throws `SamplingValidationFailedError` (with per-field errors) when the backend answers 400. */
  updateSamplingPolicy(
    serviceName: string,
    request: UpdateSamplingPolicyRequest,
  ): Promise<EffectiveSamplingPolicyResponse>;
  /** Removes the stored policy: the service falls back to its tier. */
  resetSamplingPolicy(
    serviceName: string,
    reason: string,
  ): Promise<EffectiveSamplingPolicyResponse>;
  /** Newest first: one service's changes, or (without a name) every change. */
  getSamplingHistory(
    serviceName?: string,
    options?: { limit?: number },
  ): Promise<SamplingHistoryResponse>;
  getSamplingOverrides(): Promise<SamplingOverridesResponse>;
  createSamplingOverride(
    request: CreateSamplingOverrideRequest,
  ): Promise<SamplingOverride>;
  deleteSamplingOverride(id: string, reason: string): Promise<void>;
  getSamplingMaintenance(): Promise<SamplingMaintenanceResponse>;
  enterSamplingMaintenance(
    request: EnterSamplingMaintenanceRequest,
  ): Promise<SamplingMaintenanceResponse>;
  exitSamplingMaintenance(reason: string): Promise<void>;
}

export const tracingHealthApiRef = createApiRef<TracingHealthApi>({
  id: 'plugin.tracing-health.api',
});
