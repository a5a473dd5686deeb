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
  SAMPLING_ROUTES,
  samplingPath,
  ServicesResponse,
  TRACING_HEALTH_PLUGIN_ID,
  CLUSTER_STATUS_PATH,
} from '@internal/plugin-tracing-health-common';
import { FleetCoverageQuery, TracingHealthApi } from './TracingHealthApi';
import { SamplingValidationFailedError } from './SamplingValidationFailedError';

export class TracingHealthClient implements TracingHealthApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async get<T>(path: string): Promise<T> {
    const base = await this.options.discoveryApi.getBaseUrl(
      TRACING_HEALTH_PLUGIN_ID,
    );
    const response = await this.options.fetchApi.fetch(`${base}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  /** A write: JSON body; a 400 with per-field errors becomes SamplingValidationFailedError. */
  private async send<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const base = await this.options.discoveryApi.getBaseUrl(
      TRACING_HEALTH_PLUGIN_ID,
    );
    const response = await this.options.fetchApi.fetch(`${base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 400) {
      const payload = await response
        .clone()
        .json()
        .catch(() => undefined);
      if (Array.isArray(payload?.errors)) {
        throw new SamplingValidationFailedError(payload.errors);
      }
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  getServices(): Promise<ServicesResponse> {
    return this.get('/services');
  }

  getFleetCoverage(
    query: FleetCoverageQuery = {},
  ): Promise<FleetCoverageResponse> {
    const params = new URLSearchParams();
    if (query.owner) params.set('owner', query.owner);
    if (query.system) params.set('system', query.system);
    if (query.state?.length) params.set('state', query.state.join(','));
    if (query.sort) params.set('sort', query.sort);
    if (query.order) params.set('order', query.order);
    const qs = params.toString();
    return this.get(`/coverage/fleet${qs ? `?${qs}` : ''}`);
  }

  getEntityCoverage(
    entity: CompoundEntityRef,
    options: { hours?: number } = {},
  ): Promise<EntityCoverageResponse> {
    const path = [entity.namespace, entity.kind, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const qs = options.hours ? `?hours=${options.hours}` : '';
    return this.get(`/coverage/entity/${path}${qs}`);
  }

  getEntityDependencies(
    entity: CompoundEntityRef,
  ): Promise<EntityDependenciesResponse> {
    const path = [entity.namespace, entity.kind, entity.name]
      .map(encodeURIComponent)
      .join('/');
    return this.get(`/dependencies/entity/${path}`);
  }

  getFleetDependencies(
    options: { limit?: number } = {},
  ): Promise<FleetDependenciesResponse> {
    const qs = options.limit ? `?limit=${options.limit}` : '';
    return this.get(`/dependencies/fleet${qs}`);
  }

  getClusterStatus(): Promise<ClusterStatusResponse> {
    return this.get(CLUSTER_STATUS_PATH);
  }

  getChecks(): Promise<ChecksResponse> {
    return this.get('/checks');
  }

  getCheckHistory(
    checkId: string,
    options: { limit?: number } = {},
  ): Promise<CheckHistoryResponse> {
    const qs = options.limit ? `?limit=${options.limit}` : '';
    return this.get(`/checks/${encodeURIComponent(checkId)}/history${qs}`);
  }

  async runCheck(checkId: string): Promise<void> {
    const base = await this.options.discoveryApi.getBaseUrl(
      TRACING_HEALTH_PLUGIN_ID,
    );
    const response = await this.options.fetchApi.fetch(
      `${base}/checks/${encodeURIComponent(checkId)}/run`,
      { method: 'POST' },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }

  getRunbooks(): Promise<RunbookListResponse> {
    return this.get('/runbooks');
  }

  getRunbook(
    id: string,
    options: { service?: string } = {},
  ): Promise<RunbookDocument> {
    const qs = options.service
      ? `?service=${encodeURIComponent(options.service)}`
      : '';
    return this.get(`/runbooks/${encodeURIComponent(id)}${qs}`);
  }

  getSamplingPolicy(
    serviceName: string,
  ): Promise<EffectiveSamplingPolicyResponse> {
    return this.get(samplingPath(SAMPLING_ROUTES.policy, { serviceName }));
  }

  updateSamplingPolicy(
    serviceName: string,
    request: UpdateSamplingPolicyRequest,
  ): Promise<EffectiveSamplingPolicyResponse> {
    return this.send(
      'PUT',
      samplingPath(SAMPLING_ROUTES.policy, { serviceName }),
      request,
    );
  }

  resetSamplingPolicy(
    serviceName: string,
    reason: string,
  ): Promise<EffectiveSamplingPolicyResponse> {
    return this.send(
      'DELETE',
      samplingPath(SAMPLING_ROUTES.policy, { serviceName }),
      { reason },
    );
  }

  getSamplingHistory(
    serviceName?: string,
    options: { limit?: number } = {},
  ): Promise<SamplingHistoryResponse> {
    const qs = options.limit ? `?limit=${options.limit}` : '';
    const path = serviceName
      ? samplingPath(SAMPLING_ROUTES.policyHistory, { serviceName })
      : SAMPLING_ROUTES.history;
    return this.get(`${path}${qs}`);
  }

  getSamplingOverrides(): Promise<SamplingOverridesResponse> {
    return this.get(SAMPLING_ROUTES.overrides);
  }

  createSamplingOverride(
    request: CreateSamplingOverrideRequest,
  ): Promise<SamplingOverride> {
    return this.send('POST', SAMPLING_ROUTES.overrides, request);
  }

  async deleteSamplingOverride(id: string, reason: string): Promise<void> {
    await this.send('DELETE', samplingPath(SAMPLING_ROUTES.override, { id }), {
      reason,
    });
  }

  getSamplingMaintenance(): Promise<SamplingMaintenanceResponse> {
    return this.get(SAMPLING_ROUTES.maintenance);
  }

  enterSamplingMaintenance(
    request: EnterSamplingMaintenanceRequest,
  ): Promise<SamplingMaintenanceResponse> {
    return this.send('POST', SAMPLING_ROUTES.maintenance, request);
  }

  async exitSamplingMaintenance(reason: string): Promise<void> {
    await this.send('DELETE', SAMPLING_ROUTES.maintenance, { reason });
  }
}
