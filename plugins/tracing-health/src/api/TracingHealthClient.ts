import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CheckHistoryResponse,
  ChecksResponse,
  RunbookDocument,
  RunbookListResponse,
} from '@internal/plugin-tracing-health-common';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EntityCoverageResponse,
  FleetCoverageResponse,
  ServicesResponse,
  TRACING_HEALTH_PLUGIN_ID,
} from '@internal/plugin-tracing-health-common';
import { FleetCoverageQuery, TracingHealthApi } from './TracingHealthApi';

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
}
