import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityDependenciesResponse,
  FleetDependenciesResponse,
} from '@internal/plugin-tracing-health-common';
import {
  CatalogServices,
  toTracedServiceInfo,
} from '../services/CatalogServices';
import {
  ComponentIndex,
  dependencyEdges,
  uninstrumented,
  worstEdges,
} from './buildDependencies';
import { ServiceGraphRollups } from './ServiceGraphRollups';

export interface DependenciesServiceOptions {
  rollups: Pick<ServiceGraphRollups, 'window'>;
  catalog: CatalogService;
  catalogServices: CatalogServices;
  windowMinutes: number;
  clock?: { now(): number };
}

/** The service graph joined with the catalog, for the dependency routes. */
export class DependenciesService {
  constructor(private readonly options: DependenciesServiceOptions) {}

  /** One entity's callers and callees; undefined when the catalog has no such entity. */
  async entity(
    credentials: BackstageCredentials,
    ref: CompoundEntityRef,
  ): Promise<EntityDependenciesResponse | undefined> {
    const { catalog, catalogServices, rollups, windowMinutes } = this.options;
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) return undefined;
    const self = toTracedServiceInfo(entity);
    const serviceName = self.settings.serviceName;
    const index = new ComponentIndex([
      self,
      ...(await catalogServices.list(credentials)),
    ]);
    const window = rollups.window();
    const edges = dependencyEdges(window, index);
    const upstream = edges.filter(e =>
      e.virtual
        ? e.serverEntityRef === self.entityRef
        : e.server === serviceName,
    );
    const downstream = edges.filter(e => e.client === serviceName);
    const byTraffic = (
      a: { requestsPerSecond: number; brokenPerSecond: number },
      b: typeof a,
    ) =>
      b.brokenPerSecond - a.brokenPerSecond ||
      b.requestsPerSecond - a.requestsPerSecond;
    return {
      serviceName,
      windowMinutes,
      upstream: upstream.sort(byTraffic),
      downstream: downstream.sort(byTraffic),
      orphanServerSpansPerSecond:
        (window.orphanServerSpans.get(serviceName) ?? 0) / window.seconds,
      calledButNotTraced: upstream.some(e => e.virtual),
    };
  }

  /** The fleet's worst edges and uninstrumented dependencies. */
  async fleet(
    credentials: BackstageCredentials,
    limit: number,
  ): Promise<FleetDependenciesResponse> {
    const { catalogServices, rollups, windowMinutes } = this.options;
    const index = new ComponentIndex(await catalogServices.list(credentials));
    const edges = dependencyEdges(rollups.window(), index);
    return {
      generatedAt: new Date(
        this.options.clock?.now() ?? Date.now(),
      ).toISOString(),
      windowMinutes,
      worstEdges: worstEdges(edges, limit),
      uninstrumented: uninstrumented(edges, limit),
      totalEdges: edges.length,
    };
  }
}
