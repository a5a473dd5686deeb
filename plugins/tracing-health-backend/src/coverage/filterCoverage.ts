import {
  COVERAGE_STATES,
  CoverageSortKey,
  CoverageState,
  EntityCoverage,
  trafficPerSecond,
} from '@internal/plugin-tracing-health-common';

export interface CoverageFilter {
  /** Owner refs or names, e.g. `group:default/payments-team` or `payments-team`. */
  owner?: string[];
  system?: string[];
  state?: CoverageState[];
}

interface LooseRef {
  kind?: string;
  namespace?: string;
  name: string;
}

/** `[kind:][namespace/]name`, lower-cased; the catalog may give `spec.owner` without kind. */
function looseRef(value: string): LooseRef {
  const v = value.trim().toLocaleLowerCase('en-US');
  const colon = v.indexOf(':');
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const slash = rest.indexOf('/');
  return {
    kind: colon >= 0 ? v.slice(0, colon) : undefined,
    namespace: slash >= 0 ? rest.slice(0, slash) : undefined,
    name: slash >= 0 ? rest.slice(slash + 1) : rest,
  };
}

/** Same name, and same kind and namespace wherever both sides name them. */
function refMatches(ref: string | undefined, wanted: string[]): boolean {
  if (!ref) return false;
  const a = looseRef(ref);
  return wanted
    .map(looseRef)
    .some(
      b =>
        a.name === b.name &&
        (!a.kind || !b.kind || a.kind === b.kind) &&
        (!a.namespace || !b.namespace || a.namespace === b.namespace),
    );
}

export function matchesOwnerAndSystem(
  item: EntityCoverage,
  filter: CoverageFilter,
): boolean {
  return (
    (!filter.owner || refMatches(item.owner, filter.owner)) &&
    (!filter.system || refMatches(item.system, filter.system))
  );
}

type SortValue = string | number | undefined;

const SORT_VALUES: Record<CoverageSortKey, (i: EntityCoverage) => SortValue> = {
  name: i => i.name,
  state: i => COVERAGE_STATES.indexOf(i.state),
  owner: i => i.owner,
  system: i => i.system,
  serviceName: i => i.serviceName,
  spansPerSecond: i => i.figures.spansPerSecond,
  requestsPerSecond: i => trafficPerSecond(i.figures),
  tracesPerSecond: i => i.figures.tracesPerSecond,
  errorRatio: i => i.figures.errorRatio,
  p95: i => i.figures.p95Seconds,
  completeness: i => i.figures.completeness,
  lastSeen: i => i.lastSeen,
};

/** Sorts by `key`; items without a value go last in either order; ties by entity ref. */
export function sortCoverage(
  items: EntityCoverage[],
  key: CoverageSortKey,
  order: 'asc' | 'desc',
): EntityCoverage[] {
  const value = SORT_VALUES[key];
  const sign = order === 'asc' ? 1 : -1;
  return items
    .map(item => ({ item, v: value(item) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) {
        if (a.v === b.v)
          return a.item.entityRef.localeCompare(b.item.entityRef);
        return a.v === undefined ? 1 : -1;
      }
      let c: number;
      if (typeof a.v === 'number' && typeof b.v === 'number') c = a.v - b.v;
      else c = String(a.v).localeCompare(String(b.v));
      return c !== 0
        ? sign * c
        : a.item.entityRef.localeCompare(b.item.entityRef);
    })
    .map(x => x.item);
}
