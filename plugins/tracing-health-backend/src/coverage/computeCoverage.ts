import {
  CoverageOffender,
  CoverageState,
  COVERAGE_STATES,
  EntityCoverage,
  FleetCoverageTotals,
  ServiceFigures,
  TracedServiceInfo,
  UnregisteredService,
} from '@internal/plugin-tracing-health-common';
import { EffectiveRateProvider } from './EffectiveRateProvider';
import { NO_FIGURES } from './serviceFigures';

/** Traced services below this completeness are listed among the worst offenders. */
export const COMPLETENESS_TARGET = 0.95;
const MAX_OFFENDERS = 10;

export interface CoverageInputs {
  components: TracedServiceInfo[];
  /** Every service name seen, with its last-seen time (ms since the epoch). */
  lastSeen: ReadonlyMap<string, number>;
  figures(serviceName: string): ServiceFigures | undefined;
  now: number;
  silentAfterMs: number;
  unregisteredLookbackMs: number;
  effectiveRates?: EffectiveRateProvider;
}

export interface CoverageResult {
  items: EntityCoverage[];
  unregistered: UnregisteredService[];
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/**
 * Joins the catalog with what the pipeline sees. A component is `traced` when its service name
 * sent spans within `silentAfterMs` (even when it has not opted in; `optedIn` says so),
 * `silent` when it opted in but did not, and `untraced` otherwise. Service names seen within
 * the lookback that no component maps to are `unregistered`.
 */
export function computeCoverage(inputs: CoverageInputs): CoverageResult {
  const { now, silentAfterMs } = inputs;
  const mapped = new Set<string>();
  const items = inputs.components.map((c): EntityCoverage => {
    const serviceName = c.settings.serviceName;
    mapped.add(serviceName);
    const seen = inputs.lastSeen.get(serviceName);
    const emitting = seen !== undefined && now - seen <= silentAfterMs;
    let state: CoverageState;
    if (emitting) state = 'traced';
    else state = c.settings.optedIn ? 'silent' : 'untraced';
    const [kind] = c.entityRef.split(':', 1);
    const item: EntityCoverage = {
      entityRef: c.entityRef,
      kind,
      name: c.name,
      namespace: c.namespace,
      title: c.title,
      owner: c.owner,
      system: c.system,
      serviceName,
      optedIn: c.settings.optedIn,
      tier: c.settings.tier,
      state,
      lastSeen: iso(seen),
      figures: inputs.figures(serviceName) ?? NO_FIGURES,
    };
    if (c.conflictingEntities) item.conflictingEntities = c.conflictingEntities;
    const rate = inputs.effectiveRates?.effectiveSamplingRate(serviceName);
    if (rate !== undefined) item.effectiveSamplingRate = rate;
    return item;
  });

  const unregistered: UnregisteredService[] = [];
  for (const [serviceName, seen] of inputs.lastSeen) {
    if (mapped.has(serviceName) || now - seen > inputs.unregisteredLookbackMs)
      continue;
    unregistered.push({
      serviceName,
      lastSeen: new Date(seen).toISOString(),
      figures: inputs.figures(serviceName) ?? NO_FIGURES,
    });
  }
  unregistered.sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  return { items, unregistered };
}

/** Fleet figures of the given components and unregistered names. */
export function summarizeFleet(
  result: CoverageResult,
  completeness: Pick<ServiceFigures, 'completeness' | 'judgedTraces'>,
): FleetCoverageTotals {
  const states = Object.fromEntries(COVERAGE_STATES.map(s => [s, 0])) as Record<
    CoverageState,
    number
  >;
  let optedIn = 0;
  let optedInEmitting = 0;
  for (const item of result.items) {
    states[item.state]++;
    if (item.optedIn) {
      optedIn++;
      if (item.state === 'traced') optedInEmitting++;
    }
  }
  states.unregistered += result.unregistered.length;

  const silent = result.items
    .filter(i => i.optedIn && i.state === 'silent')
    .sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''));
  const incomplete = result.items
    .filter(
      i =>
        i.state === 'traced' &&
        i.figures.completeness !== undefined &&
        i.figures.completeness < COMPLETENESS_TARGET,
    )
    .sort((a, b) => a.figures.completeness! - b.figures.completeness!);
  const worstOffenders: CoverageOffender[] = [
    ...silent.map(i => offender(i, 'silent')),
    ...incomplete.map(i => offender(i, 'incomplete-traces')),
  ].slice(0, MAX_OFFENDERS);

  const totals: FleetCoverageTotals = {
    components: result.items.length,
    optedIn,
    optedInEmitting,
    states,
    judgedTraces: completeness.judgedTraces,
    worstOffenders,
  };
  if (result.items.length > 0)
    totals.optedInRatio = optedIn / result.items.length;
  if (optedIn > 0) totals.optedInEmittingRatio = optedInEmitting / optedIn;
  if (completeness.completeness !== undefined)
    totals.completeness = completeness.completeness;
  return totals;
}

function offender(
  item: EntityCoverage,
  reason: CoverageOffender['reason'],
): CoverageOffender {
  const out: CoverageOffender = {
    entityRef: item.entityRef,
    serviceName: item.serviceName,
    state: item.state,
    reason,
  };
  if (item.lastSeen) out.lastSeen = item.lastSeen;
  if (item.figures.completeness !== undefined)
    out.completeness = item.figures.completeness;
  return out;
}
