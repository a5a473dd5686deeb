import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CoverageSortKey,
  CoverageState,
  EntityCoverageResponse,
  FleetCoverageResponse,
  TracedServiceInfo,
} from '@internal/plugin-tracing-health-common';
import {
  CatalogServices,
  toTracedServiceInfo,
} from '../services/CatalogServices';
import {
  computeCoverage,
  CoverageResult,
  summarizeFleet,
} from './computeCoverage';
import { CoverageRollups } from './CoverageRollups';
import { EffectiveRateProvider } from './EffectiveRateProvider';
import {
  CoverageFilter,
  matchesOwnerAndSystem,
  sortCoverage,
} from './filterCoverage';
import { CoverageConfig } from './readCoverageConfig';

export interface FleetCoverageQuery extends CoverageFilter {
  sort: CoverageSortKey;
  order: 'asc' | 'desc';
}

export interface CoverageServiceOptions {
  catalogServices: CatalogServices;
  catalog: CatalogService;
  rollups: CoverageRollups;
  config: CoverageConfig;
  clock?: { now(): number };
  effectiveRates?: EffectiveRateProvider;
}

/** Coverage of catalog components, for the REST routes and the Prometheus gauges. */
export class CoverageService {
  private readonly clock: { now(): number };

  constructor(private readonly options: CoverageServiceOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Coverage of the given components and the unregistered service names. */
  coverageOf(components: TracedServiceInfo[]): CoverageResult {
    const { rollups, config, effectiveRates } = this.options;
    return computeCoverage({
      components,
      lastSeen: rollups.seenServices(),
      figures: name => rollups.windowFigures(name),
      now: this.clock.now(),
      silentAfterMs: config.silentAfterMinutes * 60_000,
      unregisteredLookbackMs: config.unregisteredLookbackHours * 3_600_000,
      effectiveRates,
    });
  }

  /** Every component the credentials may read, with the unregistered service names. */
  async all(credentials: BackstageCredentials): Promise<CoverageResult> {
    return this.coverageOf(
      await this.options.catalogServices.list(credentials),
    );
  }

  /**
   * The fleet: totals over the components matching owner and system (plus the unregistered
   * names when neither is given), and the items further filtered by state and sorted.
   */
  async fleet(
    credentials: BackstageCredentials,
    query: FleetCoverageQuery,
  ): Promise<FleetCoverageResponse> {
    const all = await this.all(credentials);
    const scoped = query.owner || query.system;
    const matched: CoverageResult = {
      items: all.items.filter(i => matchesOwnerAndSystem(i, query)),
      unregistered: scoped ? [] : all.unregistered,
    };
    const totals = summarizeFleet(
      matched,
      scoped
        ? pooledCompleteness(matched)
        : this.options.rollups.fleetFigures(),
    );
    const wanted = (state: CoverageState) =>
      !query.state || query.state.includes(state);
    return {
      generatedAt: new Date(this.clock.now()).toISOString(),
      windowMinutes: this.options.config.windowMinutes,
      silentAfterMinutes: this.options.config.silentAfterMinutes,
      totals,
      items: sortCoverage(
        matched.items.filter(i => wanted(i.state)),
        query.sort,
        query.order,
      ),
      unregistered: wanted('unregistered') ? matched.unregistered : [],
    };
  }

  /** One entity with its time series; undefined when the catalog has no such entity. */
  async entity(
    credentials: BackstageCredentials,
    ref: CompoundEntityRef,
    hours: number,
  ): Promise<EntityCoverageResponse | undefined> {
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials,
    });
    if (!entity) return undefined;
    const [coverage] = this.coverageOf([toTracedServiceInfo(entity)]).items;
    const series = await this.options.rollups.series(
      coverage.serviceName,
      hours,
    );
    return {
      coverage,
      windowMinutes: this.options.config.windowMinutes,
      silentAfterMinutes: this.options.config.silentAfterMinutes,
      series: {
        from: new Date(series.from).toISOString(),
        to: new Date(series.to).toISOString(),
        stepMinutes: series.stepMinutes,
        points: series.points,
      },
    };
  }
}

/** Completeness over the traces a set of services took part in (each service once). */
function pooledCompleteness(result: CoverageResult) {
  const byService = new Map(result.items.map(i => [i.serviceName, i.figures]));
  let complete = 0;
  let judgedTraces = 0;
  for (const f of byService.values()) {
    if (f.completeness === undefined) continue;
    complete += f.completeness * f.judgedTraces;
    judgedTraces += f.judgedTraces;
  }
  return {
    judgedTraces,
    completeness: judgedTraces > 0 ? complete / judgedTraces : undefined,
  };
}
