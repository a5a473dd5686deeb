// ******************************************************************
// * THIS IS A GENERATED FILE. DO NOT EDIT IT: edit                   *
// * plugins/tracing-health-backend/src/schema/openapi.yaml, then run *
// * `yarn generate:openapi` in plugins/tracing-health-backend.       *
// ******************************************************************
/* eslint-disable */
import type {
  BoostResponse,
  CheckHistoryResponse,
  CheckSummary,
  ChecksResponse,
  ClusterStatusResponse,
  CreateSamplingOverrideRequest,
  DownstreamCostResponse,
  EffectiveSamplingPolicyResponse,
  EnterSamplingMaintenanceRequest,
  EntityCoverageResponse,
  EntityDependenciesResponse,
  FleetCoverageResponse,
  FleetDependenciesResponse,
  JaegerSamplingStrategyResponse,
  KeptTracesResponse,
  MonthlyReport,
  OwnerBudgetsResponse,
  RunbookDocument,
  RunbookListResponse,
  SamplingHistoryResponse,
  SamplingMaintenanceResponse,
  SamplingOverride,
  SamplingOverridesResponse,
  SamplingPolicyPatch,
  SamplingPreviewResponse,
  ServicesResponse,
  SetOwnerBudgetRequest,
  StartBoostRequest,
  UpdateSamplingPolicyRequest,
} from '@internal/plugin-tracing-health-common';

/** A fetch `Response` whose `json()` is the operation's response type. */
export type TypedResponse<T> = Omit<Response, 'json'> & { json(): Promise<T> };

/** The client of the `tracing-health` backend plugin's API (tracing-health `openapi.yaml`). */
export class DefaultApiClient {
  private readonly discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...args) => fetch(...args) };
  }

  private async request(
    method: string,
    path: string,
    query: Record<string, string | string[] | undefined> | undefined,
    body: unknown,
  ): Promise<Response> {
    const base = await this.discoveryApi.getBaseUrl("tracing-health");
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
    }
    const search = params.toString();
    return this.fetchApi.fetch(`${base}${path}${search ? `?${search}` : ''}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
  }

  /** `GET /health`: Liveness, unauthenticated. */
  async getHealth(): Promise<TypedResponse<unknown>> {
    return this.request('GET', `/health`, undefined, undefined);
  }

  /** `GET /services`: Catalog components that opted in (`ServicesResponse`). */
  async listServices(): Promise<TypedResponse<ServicesResponse>> {
    return this.request('GET', `/services`, undefined, undefined);
  }

  /** `GET /metrics`: Prometheus text exposition (contract in DESIGN.md), unauthenticated unless configured. */
  async getMetrics(): Promise<TypedResponse<unknown>> {
    return this.request('GET', `/metrics`, undefined, undefined);
  }

  /** `GET /cluster`: The cluster as this replica sees it (`ClusterStatusResponse`). */
  async getClusterStatus(): Promise<TypedResponse<ClusterStatusResponse>> {
    return this.request('GET', `/cluster`, undefined, undefined);
  }

  /** `GET /sampling`: Jaeger remote sampling (`JaegerSamplingStrategyResponse`), unauthenticated. */
  async getJaegerStrategy(request: { query: { service: string } }): Promise<TypedResponse<JaegerSamplingStrategyResponse>> {
    return this.request('GET', `/sampling`, request?.query, undefined);
  }

  /** `GET /api/sampling`: The `/api/sampling` style alias of `GET /sampling`. */
  async getJaegerStrategyAlias(request: { query: { service: string } }): Promise<TypedResponse<JaegerSamplingStrategyResponse>> {
    return this.request('GET', `/api/sampling`, request?.query, undefined);
  }

  /** `GET /collector-config`: The rendered OpenTelemetry Collector config (YAML); `layout=two-tier` gives the agent and */
  async getCollectorConfig(request?: { query?: { layout?: "processors" | "two-tier"; tier?: "agent" | "gateway"; resolver?: "dns" | "static"; hostname?: string; port?: string; hostnames?: string } }): Promise<TypedResponse<unknown>> {
    return this.request('GET', `/collector-config`, request?.query, undefined);
  }

  /** `GET /policies`: The default policy and every known service's effective policy. */
  async listPolicies(): Promise<TypedResponse<unknown>> {
    return this.request('GET', `/policies`, undefined, undefined);
  }

  /** `GET /policies/{serviceName}`: One service's effective policy (`EffectiveSamplingPolicyResponse`). */
  async getPolicy(request: { path: { serviceName: string } }): Promise<TypedResponse<EffectiveSamplingPolicyResponse>> {
    return this.request('GET', `/policies/${encodeURIComponent(request.path.serviceName)}`, undefined, undefined);
  }

  /** `PUT /policies/{serviceName}`: Store a service's policy (its owners; audited). Answers the effective policy. */
  async updatePolicy(request: { path: { serviceName: string }; body?: UpdateSamplingPolicyRequest }): Promise<TypedResponse<EffectiveSamplingPolicyResponse>> {
    return this.request('PUT', `/policies/${encodeURIComponent(request.path.serviceName)}`, undefined, request?.body);
  }

  /** `DELETE /policies/{serviceName}`: Remove a service's stored policy (its owners; audited). */
  async resetPolicy(request: { path: { serviceName: string }; query?: { reason?: string }; body?: { reason?: string } }): Promise<TypedResponse<EffectiveSamplingPolicyResponse>> {
    return this.request('DELETE', `/policies/${encodeURIComponent(request.path.serviceName)}`, request?.query, request?.body);
  }

  /** `GET /policies/{serviceName}/history`: One service's sampling history (`SamplingHistoryResponse`). */
  async getPolicyHistory(request: { path: { serviceName: string }; query?: { limit?: string; before?: string } }): Promise<TypedResponse<SamplingHistoryResponse>> {
    return this.request('GET', `/policies/${encodeURIComponent(request.path.serviceName)}/history`, request?.query, undefined);
  }

  /** `POST /policies/{serviceName}/preview`: What a candidate policy would keep (`SamplingPreviewResponse`). */
  async previewPolicy(request: { path: { serviceName: string }; body?: { policy: SamplingPolicyPatch } }): Promise<TypedResponse<SamplingPreviewResponse>> {
    return this.request('POST', `/policies/${encodeURIComponent(request.path.serviceName)}/preview`, undefined, request?.body);
  }

  /** `GET /policies/{serviceName}/kept`: Kept traces of the last hour by rule (`KeptTracesResponse`). */
  async getKeptTraces(request: { path: { serviceName: string } }): Promise<TypedResponse<KeptTracesResponse>> {
    return this.request('GET', `/policies/${encodeURIComponent(request.path.serviceName)}/kept`, undefined, undefined);
  }

  /** `GET /policies/{serviceName}/downstream`: Spans in traces the service roots, by service (`DownstreamCostResponse`). */
  async getDownstreamCost(request: { path: { serviceName: string } }): Promise<TypedResponse<DownstreamCostResponse>> {
    return this.request('GET', `/policies/${encodeURIComponent(request.path.serviceName)}/downstream`, undefined, undefined);
  }

  /** `GET /policies/{serviceName}/boost`: The active boost and whether the caller may boost (`BoostResponse`). */
  async getBoost(request: { path: { serviceName: string } }): Promise<TypedResponse<BoostResponse>> {
    return this.request('GET', `/policies/${encodeURIComponent(request.path.serviceName)}/boost`, undefined, undefined);
  }

  /** `POST /policies/{serviceName}/boost`: Keep 100% for a bounded time (owners; audited). */
  async startBoost(request: { path: { serviceName: string }; body?: StartBoostRequest }): Promise<TypedResponse<SamplingOverride>> {
    return this.request('POST', `/policies/${encodeURIComponent(request.path.serviceName)}/boost`, undefined, request?.body);
  }

  /** `DELETE /policies/{serviceName}/boost`: End the active boost (owners; audited). */
  async endBoost(request: { path: { serviceName: string }; query?: { reason?: string }; body?: { reason?: string } }): Promise<TypedResponse<SamplingOverride | null>> {
    return this.request('DELETE', `/policies/${encodeURIComponent(request.path.serviceName)}/boost`, request?.query, request?.body);
  }

  /** `GET /budgets`: Every owner's use against its budget (`OwnerBudgetsResponse`). */
  async listBudgets(): Promise<TypedResponse<OwnerBudgetsResponse>> {
    return this.request('GET', `/budgets`, undefined, undefined);
  }

  /** `PUT /budgets/{owner}`: Set an owner group's budget (admins; audited). */
  async setBudget(request: { path: { owner: string }; body?: SetOwnerBudgetRequest }): Promise<TypedResponse<unknown>> {
    return this.request('PUT', `/budgets/${encodeURIComponent(request.path.owner)}`, undefined, request?.body);
  }

  /** `DELETE /budgets/{owner}`: Remove an owner group's budget (admins; audited). */
  async deleteBudget(request: { path: { owner: string }; query?: { reason?: string }; body?: { reason?: string } }): Promise<TypedResponse<unknown>> {
    return this.request('DELETE', `/budgets/${encodeURIComponent(request.path.owner)}`, request?.query, request?.body);
  }

  /** `GET /sampling-history`: Every change to sampling, newest first (`SamplingHistoryResponse`). */
  async getSamplingHistory(request?: { query?: { limit?: string; before?: string } }): Promise<TypedResponse<SamplingHistoryResponse>> {
    return this.request('GET', `/sampling-history`, request?.query, undefined);
  }

  /** `GET /overrides`: Active emergency overrides (`SamplingOverridesResponse`). */
  async listOverrides(): Promise<TypedResponse<SamplingOverridesResponse>> {
    return this.request('GET', `/overrides`, undefined, undefined);
  }

  /** `POST /overrides`: Create an emergency override (admins; audited). */
  async createOverride(request?: { body?: CreateSamplingOverrideRequest }): Promise<TypedResponse<SamplingOverride>> {
    return this.request('POST', `/overrides`, undefined, request?.body);
  }

  /** `DELETE /overrides/{id}`: End an emergency override early (admins; audited). */
  async deleteOverride(request: { path: { id: string }; query?: { reason?: string }; body?: { reason?: string } }): Promise<TypedResponse<SamplingOverride>> {
    return this.request('DELETE', `/overrides/${encodeURIComponent(request.path.id)}`, request?.query, request?.body);
  }

  /** `GET /maintenance`: Maintenance mode (`SamplingMaintenanceResponse`). */
  async getMaintenance(): Promise<TypedResponse<SamplingMaintenanceResponse>> {
    return this.request('GET', `/maintenance`, undefined, undefined);
  }

  /** `POST /maintenance`: Enter maintenance mode (admins; audited). */
  async enterMaintenance(request?: { body?: EnterSamplingMaintenanceRequest }): Promise<TypedResponse<SamplingMaintenanceResponse>> {
    return this.request('POST', `/maintenance`, undefined, request?.body);
  }

  /** `DELETE /maintenance`: Leave maintenance mode (admins; audited). */
  async exitMaintenance(request?: { query?: { reason?: string }; body?: { reason?: string } }): Promise<TypedResponse<unknown>> {
    return this.request('DELETE', `/maintenance`, request?.query, request?.body);
  }

  /** `GET /coverage/fleet`: Coverage of every opted-in component (`FleetCoverageResponse`); `owner`, `system` and */
  async getFleetCoverage(request?: { query?: { owner?: string | Array<string>; system?: string | Array<string>; state?: string | Array<string>; sort?: "name" | "state" | "owner" | "system" | "serviceName" | "spansPerSecond" | "requestsPerSecond" | "tracesPerSecond" | "errorRatio" | "p95" | "completeness" | "lastSeen"; order?: "asc" | "desc" } }): Promise<TypedResponse<FleetCoverageResponse>> {
    return this.request('GET', `/coverage/fleet`, request?.query, undefined);
  }

  /** `GET /coverage/entity/{namespace}/{kind}/{name}`: One entity's coverage and its time series (`EntityCoverageResponse`). */
  async getEntityCoverage(request: { path: { namespace: string; kind: string; name: string }; query?: { hours?: string } }): Promise<TypedResponse<EntityCoverageResponse>> {
    return this.request('GET', `/coverage/entity/${encodeURIComponent(request.path.namespace)}/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(request.path.name)}`, request?.query, undefined);
  }

  /** `GET /dependencies/fleet`: The busiest calls between services (`FleetDependenciesResponse`). */
  async getFleetDependencies(request?: { query?: { limit?: string } }): Promise<TypedResponse<FleetDependenciesResponse>> {
    return this.request('GET', `/dependencies/fleet`, request?.query, undefined);
  }

  /** `GET /dependencies/entity/{namespace}/{kind}/{name}`: One entity's callers and callees (`EntityDependenciesResponse`). */
  async getEntityDependencies(request: { path: { namespace: string; kind: string; name: string } }): Promise<TypedResponse<EntityDependenciesResponse>> {
    return this.request('GET', `/dependencies/entity/${encodeURIComponent(request.path.namespace)}/${encodeURIComponent(request.path.kind)}/${encodeURIComponent(request.path.name)}`, undefined, undefined);
  }

  /** `GET /checks`: Every health check with its latest result (`ChecksResponse`). */
  async listChecks(): Promise<TypedResponse<ChecksResponse>> {
    return this.request('GET', `/checks`, undefined, undefined);
  }

  /** `GET /checks/{id}`: One health check. */
  async getCheck(request: { path: { id: string } }): Promise<TypedResponse<CheckSummary>> {
    return this.request('GET', `/checks/${encodeURIComponent(request.path.id)}`, undefined, undefined);
  }

  /** `GET /checks/{id}/history`: A check's past results, newest first (`CheckHistoryResponse`). */
  async getCheckHistory(request: { path: { id: string }; query?: { limit?: string; before?: string } }): Promise<TypedResponse<CheckHistoryResponse>> {
    return this.request('GET', `/checks/${encodeURIComponent(request.path.id)}/history`, request?.query, undefined);
  }

  /** `POST /checks/{id}/run`: Run a check now (people with the run permission); 429 with Retry-After when throttled. */
  async runCheck(request: { path: { id: string } }): Promise<TypedResponse<unknown>> {
    return this.request('POST', `/checks/${encodeURIComponent(request.path.id)}/run`, undefined, undefined);
  }

  /** `GET /check-types`: The registered check types. */
  async listCheckTypes(): Promise<TypedResponse<unknown>> {
    return this.request('GET', `/check-types`, undefined, undefined);
  }

  /** `GET /runbooks`: Every runbook (`RunbookListResponse`). */
  async listRunbooks(): Promise<TypedResponse<RunbookListResponse>> {
    return this.request('GET', `/runbooks`, undefined, undefined);
  }

  /** `GET /runbooks/{id}`: One runbook, filled in for `service` when given. */
  async getRunbook(request: { path: { id: string }; query?: { service?: string } }): Promise<TypedResponse<RunbookDocument>> {
    return this.request('GET', `/runbooks/${encodeURIComponent(request.path.id)}`, request?.query, undefined);
  }

  /** `GET /report`: The monthly report, JSON or Markdown (`format`, or the Accept header). */
  async getMonthlyReport(request: { query: { month: string; format?: "json" | "markdown" } }): Promise<TypedResponse<MonthlyReport>> {
    return this.request('GET', `/report`, request?.query, undefined);
  }
}
