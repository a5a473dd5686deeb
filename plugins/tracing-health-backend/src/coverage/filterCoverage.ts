import {
  COVERAGE_STATES,
  CoverageSortKey,
  CoverageState,
  EntityCoverage,
} from '@internal/plugin-tracing-health-common';

export interface CoverageFilter {
  /** Owner refs or names, e.g. `group:default/payments-team` or `payments-team`. */
  owner?: string[];
  system?: string[];
  state?: CoverageState[];
}

/** True when `ref` (e.g. `group:default/team`) is `wanted` in full or by its name (case-insensitive). */
function refMatches(ref: string | undefined, wanted: string[]): boolean {
  if (!ref) return false;
  const full = ref.toLocaleLowerCase('en-US');
  const namespaced = full.slice(full.indexOf(':') + 1);
  const name = namespaced.slice(namespaced.lastIndexOf('/') + 1);
  return wanted.some(w => {
    const v = w.toLocaleLowerCase('en-US');
    return v === full || v === namespaced || v === name;
  });
}

export function matchesOwnerAndSystem(item: EntityCoverage, filter: CoverageFilter): boolean {
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
        if (a.v === b.v) return a.item.entityRef.localeCompare(b.item.entityRef);
        return a.v === undefined ? 1 : -1;
      }
      let c: number;
      if (typeof a.v === 'number' && typeof b.v === 'number') c = a.v - b.v;
      else c = String(a.v).localeCompare(String(b.v));
      return c !== 0 ? sign * c : a.item.entityRef.localeCompare(b.item.entityRef);
    })
    .map(x => x.item);
}
