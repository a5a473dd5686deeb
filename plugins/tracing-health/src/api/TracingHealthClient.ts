import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CheckHistoryResponse,
  ChecksResponse,
  RunbookDocument,
  RunbookListResponse,
} from '@internal/plugin-tracing-health-common';
import type {
  ClusterStatusResponse,
  EntityDependenciesResponse,
  FleetDependenciesResponse,
} from '@internal/plugin-tracing-health-common';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CreateSamplingOverrideRequest,
  EffectiveSamplingPolicyResponse,
  EnterSamplingMaintenanceRequest,
  SamplingHistoryResponse,
  SamplingMaintenanceResponse,
  SamplingOverride,
  SamplingOverridesResponse,
  UpdateSamplingPolicyRequest,
  EntityCoverageResponse,
  FleetCoverageResponse,
  ServicesResponse,
} from '@internal/plugin-tracing-health-common';
import { FleetCoverageQuery, TracingHealthApi } from './TracingHealthApi';
import { SamplingValidationFailedError } from './SamplingValidationFailedError';
import { DefaultApiClient, TypedResponse } from '../schema/openapi/generated';

/**
 * The app's client of the backend: the client generated from the backend's `openapi.yaml`
 * (`DefaultApiClient`), with its answers turned into values or errors.
 */
export class TracingHealthClient implements TracingHealthApi {
  private readonly api: DefaultApiClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.api = new DefaultApiClient(options);
  }

  /** A read's body; any other status than 2xx becomes a ResponseError. */
  private async read<T>(pending: Promise<TypedResponse<T>>): Promise<T> {
    const response = await pending;
    if (!response.ok) {
      throw await ResponseError.fromResponse(response as Response);
    }
    return response.json();
  }

  /** A write's body; a 400 with per-field errors becomes SamplingValidationFailedError. */
  private async write<T>(pending: Promise<TypedResponse<T>>): Promise<T> {
    const response = await pending;
    if (response.status === 400) {
      const payload = await (response.clone() as Response)
        .json()
        .catch(() => undefined);
      if (Array.isArray(payload?.errors)) {
        throw new SamplingValidationFailedError(payload.errors);
      }
    }
    return this.read(Promise.resolve(response));
  }

  getServices(): Promise<ServicesResponse> {
    return this.read(this.api.listServices());
  }

  getFleetCoverage(
    query: FleetCoverageQuery = {},
  ): Promise<FleetCoverageResponse> {
    return this.read(
      this.api.getFleetCoverage({
        query: {
          owner: query.owner || undefined,
          system: query.system || undefined,
          state: query.state?.length ? query.state.join(',') : undefined,
          sort: query.sort,
          order: query.order,
        },
      }),
    );
  }

  getEntityCoverage(
    entity: CompoundEntityRef,
    options: { hours?: number } = {},
  ): Promise<EntityCoverageResponse> {
    return this.read(
      this.api.getEntityCoverage({
        path: entity,
        query: { hours: options.hours ? String(options.hours) : undefined },
      }),
    );
  }

  getEntityDependencies(
    entity: CompoundEntityRef,
  ): Promise<EntityDependenciesResponse> {
    return this.read(this.api.getEntityDependencies({ path: entity }));
  }

  getFleetDependencies(
    options: { limit?: number } = {},
  ): Promise<FleetDependenciesResponse> {
    return this.read(
      this.api.getFleetDependencies({
        query: { limit: options.limit ? String(options.limit) : undefined },
      }),
    );
  }

  getClusterStatus(): Promise<ClusterStatusResponse> {
    return this.read(this.api.getClusterStatus());
  }

  getChecks(): Promise<ChecksResponse> {
    return this.read(this.api.listChecks());
  }

  getCheckHistory(
    checkId: string,
    options: { limit?: number } = {},
  ): Promise<CheckHistoryResponse> {
    return this.read(
      this.api.getCheckHistory({
        path: { id: checkId },
        query: { limit: options.limit ? String(options.limit) : undefined },
      }),
    );
  }

  async runCheck(checkId: string): Promise<void> {
    await this.read(this.api.runCheck({ path: { id: checkId } }));
  }

  getRunbooks(): Promise<RunbookListResponse> {
    return this.read(this.api.listRunbooks());
  }

  getRunbook(
    id: string,
    options: { service?: string } = {},
  ): Promise<RunbookDocument> {
    return this.read(
      this.api.getRunbook({
        path: { id },
        query: { service: options.service || undefined },
      }),
    );
  }

  getSamplingPolicy(
    serviceName: string,
  ): Promise<EffectiveSamplingPolicyResponse> {
    return this.read(this.api.getPolicy({ path: { serviceName } }));
  }

  updateSamplingPolicy(
    serviceName: string,
    request: UpdateSamplingPolicyRequest,
  ): Promise<EffectiveSamplingPolicyResponse> {
    return this.write(
      this.api.updatePolicy({ path: { serviceName }, body: request }),
    );
  }

  resetSamplingPolicy(
    serviceName: string,
    reason: string,
  ): Promise<EffectiveSamplingPolicyResponse> {
    return this.write(
      this.api.resetPolicy({ path: { serviceName }, body: { reason } }),
    );
  }

  getSamplingHistory(
    serviceName?: string,
    options: { limit?: number } = {},
  ): Promise<SamplingHistoryResponse> {
    const query = { limit: options.limit ? String(options.limit) : undefined };
    return this.read(
      serviceName
        ? this.api.getPolicyHistory({ path: { serviceName }, query })
        : this.api.getSamplingHistory({ query }),
    );
  }

  getSamplingOverrides(): Promise<SamplingOverridesResponse> {
    return this.read(this.api.listOverrides());
  }

  createSamplingOverride(
    request: CreateSamplingOverrideRequest,
  ): Promise<SamplingOverride> {
    return this.write(this.api.createOverride({ body: request }));
  }

  async deleteSamplingOverride(id: string, reason: string): Promise<void> {
    await this.write(
      this.api.deleteOverride({ path: { id }, body: { reason } }),
    );
  }

  getSamplingMaintenance(): Promise<SamplingMaintenanceResponse> {
    return this.read(this.api.getMaintenance());
  }

  enterSamplingMaintenance(
    request: EnterSamplingMaintenanceRequest,
  ): Promise<SamplingMaintenanceResponse> {
    return this.write(this.api.enterMaintenance({ body: request }));
  }

  async exitSamplingMaintenance(reason: string): Promise<void> {
    await this.write(this.api.exitMaintenance({ body: { reason } }));
  }
}
