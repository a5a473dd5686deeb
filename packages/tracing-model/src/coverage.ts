import { TracingTier } from './tiers';
import { CoverageState } from './metrics';

/** Span-derived figures of one `service.name` over a time range. */
export interface ServiceFigures {
  spansPerSecond: number;
  /**
   * Entry spans (kind SERVER or CONSUMER) per second: requests and messages the service
   * received.
   */
  requestsPerSecond: number;
  /** Root spans per second: traces the service started (0 for a service only others call). */
  tracesPerSecond: number;
  /** Error spans / spans; absent without spans. */
  errorRatio?: number;
  p50Seconds?: number;
  p95Seconds?: number;
  p99Seconds?: number;
  /** Complete / judged traces the service took part in; absent before any trace was judged. */
  completeness?: number;
  judgedTraces: number;
  orphanSpans: number;
}

/** One catalog component joined with what the pipeline sees of its `service.name`. */
export interface EntityCoverage {
  entityRef: string;
  kind: string;
  name: string;
  namespace: string;
  title?: string;
  owner?: string;
  system?: string;
  serviceName: string;
  /** Every component that claims `serviceName` when more than one does (see TracedServiceInfo). */
  conflictingEntities?: string[];
  optedIn: boolean;
  tier: TracingTier;
  state: CoverageState;
  /** ISO time of the last span received. */
  lastSeen?: string;
  figures: ServiceFigures;
  /** Share (0..1) of the service's traces the samplers keep, where known. */
  effectiveSamplingRate?: number;
}

/** A `service.name` that sends spans but no component maps to. */
export interface UnregisteredService {
  serviceName: string;
  lastSeen: string;
  figures: ServiceFigures;
}

export interface CoverageOffender {
  entityRef: string;
  serviceName: string;
  state: CoverageState;
  reason: 'silent' | 'incomplete-traces';
  lastSeen?: string;
  completeness?: number;
}

export interface FleetCoverageTotals {
  components: number;
  optedIn: number;
  /** optedIn / components; absent without components. */
  optedInRatio?: number;
  /** Opted-in components whose service is emitting (state `traced`). */
  optedInEmitting: number;
  optedInEmittingRatio?: number;
  states: Record<CoverageState, number>;
  /** Complete / judged traces over the window; absent before any trace was judged. */
  completeness?: number;
  judgedTraces: number;
  /** Silent services first (longest silent first), then the least complete traced ones. */
  worstOffenders: CoverageOffender[];
}

/** `GET /api/tracing-health/coverage/fleet` */
export interface FleetCoverageResponse {
  generatedAt: string;
  /** Figures are averages over this many minutes. */
  windowMinutes: number;
  silentAfterMinutes: number;
  totals: FleetCoverageTotals;
  items: EntityCoverage[];
  unregistered: UnregisteredService[];
}

/** One step of an entity's time series; `null` where there was nothing to measure. */
export interface CoverageSeriesPoint {
  /** ISO start of the step. */
  time: string;
  spans: number;
  errorSpans: number;
  traces: number;
  /** Entry spans (SERVER or CONSUMER kind) in the step. */
  requests: number;
  spansPerSecond: number;
  requestsPerSecond: number;
  tracesPerSecond: number;
  errorRatio: number | null;
  p95Seconds: number | null;
  completeness: number | null;
  orphanSpans: number;
}

/** `GET /api/tracing-health/coverage/entity/:namespace/:kind/:name?hours=24` */
export interface EntityCoverageResponse {
  coverage: EntityCoverage;
  windowMinutes: number;
  silentAfterMinutes: number;
  series: {
    from: string;
    to: string;
    stepMinutes: number;
    points: CoverageSeriesPoint[];
  };
}

/** Columns `GET /coverage/fleet` sorts by (`sort=`), with `order=asc|desc`. */
export const COVERAGE_SORT_KEYS = [
  'name',
  'state',
  'owner',
  'system',
  'serviceName',
  'spansPerSecond',
  'requestsPerSecond',
  'tracesPerSecond',
  'errorRatio',
  'p95',
  'completeness',
  'lastSeen',
] as const;
export type CoverageSortKey = (typeof COVERAGE_SORT_KEYS)[number];

/**
 * What owners mean by a service's traffic, per second: the requests it received (entry spans),
 * or, for a service that receives none (a job, a client), the traces it started. The fleet
 * table, the entity page and the `service-volume` check all show this one figure.
 */
export function trafficPerSecond(
  figures: Pick<ServiceFigures, 'requestsPerSecond' | 'tracesPerSecond'>,
): number {
  return Math.max(figures.requestsPerSecond, figures.tracesPerSecond);
}
