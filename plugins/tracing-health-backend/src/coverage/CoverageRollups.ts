import { randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CoverageSeriesPoint,
  ServiceFigures,
  trafficPerSecond,
} from '@internal/plugin-tracing-health-common';
import { ServiceVolumeProvider } from '@internal/plugin-tracing-health-node';
import { CoverageRollupStore } from './CoverageRollupStore';
import {
  addCounts,
  BUCKET_MS,
  bucketStartOf,
  counterDelta,
  emptyCounts,
  FLEET_ROW_SERVICE,
  fleetDelta,
  RollupCounts,
  RollupRow,
} from './rollupRow';
import { NO_FIGURES, serviceFigures } from './serviceFigures';
import {
  histogramQuantile,
  SpanMetrics,
  SpanMetricsSnapshot,
} from './spanMetricsTypes';

export interface CoverageRollupsOptions {
  store: CoverageRollupStore;
  spanMetrics: Pick<SpanMetrics, 'snapshot' | 'lastSeen' | 'lastSeenByService'>;
  /** ms since the epoch; the same clock as the span metrics. */
  clock?: { now(): number };
  windowMinutes: number;
  retentionHours: number;
  maxRowsPerService: number;
  logger?: LoggerService;
  /** Identifies this process's rows; a fresh one per process by default. */
  instanceId?: string;
}

const SERIES_STEPS_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];
const MAX_SERIES_POINTS = 360;

/** The smallest step (dividing an hour) that keeps a series of `hours` under 360 points. */
export function seriesStepMinutes(hours: number): number {
  return (
    SERIES_STEPS_MINUTES.find(
      step => (hours * 60) / step <= MAX_SERIES_POINTS,
    ) ?? SERIES_STEPS_MINUTES[SERIES_STEPS_MINUTES.length - 1]
  );
}

/**
 * Persists the span metrics as 1-minute rollups per service and serves what the coverage pages
 * need: figures over the recent window, last-seen times (which survive a restart) and time
 * series. `flush()` runs on a schedule: it writes what changed since the previous flush into
 * the current minute's bucket, applies the retention and size bounds, then re-reads the window
 * (which includes other replicas' rows). It is the checks' ServiceVolumeProvider.
 */
export class CoverageRollups implements ServiceVolumeProvider {
  private readonly clock: { now(): number };
  private readonly instanceId: string;
  private readonly bounds: readonly number[];
  private previous?: SpanMetricsSnapshot;
  private ownBucket = -1;
  private own = new Map<string, RollupRow>();
  private storedLastSeen = new Map<string, number>();
  private figures = new Map<string, ServiceFigures>();
  private fleet: ServiceFigures = NO_FIGURES;
  private observingSince: number;
  /** When the window figures were last computed (ms since the epoch). */
  private windowReadAtMs = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: CoverageRollupsOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.instanceId = options.instanceId ?? randomUUID();
    this.bounds = options.spanMetrics.snapshot().durationBoundsSeconds;
    this.observingSince = this.clock.now();
  }

  /** Loads last-seen times and the recent window from the database. */
  async start(): Promise<void> {
    const now = this.clock.now();
    this.storedLastSeen = await this.options.store.lastSeenByService();
    const earliest = await this.options.store.earliestBucketStart();
    this.observingSince = Math.min(this.observingSince, earliest ?? now);
    await this.refreshWindow(now);
  }

  /** Writes what the span metrics counted since the previous flush (one flush at a time). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    const snapshot = this.options.spanMetrics.snapshot();
    const now = snapshot.takenAtMs;
    const bucket = bucketStartOf(now - 1);
    const own =
      bucket === this.ownBucket ? this.own : new Map<string, RollupRow>();

    const previousByService = new Map(
      this.previous?.services.map(s => [s.service, s]),
    );
    const changed: RollupRow[] = [];
    const accumulate = (service: string, delta: RollupCounts) => {
      const row: RollupRow = {
        service,
        bucketStartMs: bucket,
        instanceId: this.instanceId,
        ...emptyCounts(delta.durationCounts.length),
      };
      const earlier = own.get(service);
      if (earlier) addCounts(row, earlier);
      addCounts(row, delta);
      changed.push(row);
    };
    for (const counters of snapshot.services) {
      const delta = counterDelta(
        counters,
        previousByService.get(counters.service),
      );
      if (delta) accumulate(counters.service, delta);
    }
    const fleet = fleetDelta(snapshot, this.previous);
    if (fleet) accumulate(FLEET_ROW_SERVICE, fleet);

    if (changed.length > 0) await this.options.store.upsert(changed);
    // Only after a successful write: a failed flush is retried with the same delta.
    for (const row of changed) own.set(row.service, row);
    this.own = own;
    this.ownBucket = bucket;
    this.previous = snapshot;

    const deleted =
      (await this.options.store.deleteBefore(
        now - this.options.retentionHours * 3_600_000,
      )) +
      (await this.options.store.trimToMaxRowsPerService(
        this.options.maxRowsPerService,
      ));
    if (deleted > 0)
      this.options.logger?.debug(
        `Deleted ${deleted} expired coverage rollup rows`,
      );
    await this.refreshWindow(now);
  }

  /** Figures over the last `windowMinutes`, as of the latest flush. */
  windowFigures(serviceName: string): ServiceFigures | undefined {
    return this.figures.get(serviceName);
  }

  /** Fleet-wide trace completeness over the window (each trace counted once). */
  fleetFigures(): ServiceFigures {
    return this.fleet;
  }

  lastSeenMs(serviceName: string): number | undefined {
    const live = this.options.spanMetrics.lastSeen(serviceName);
    const stored = this.storedLastSeen.get(serviceName);
    if (live === undefined) return stored;
    return stored === undefined ? live : Math.max(live, stored);
  }

  /** Every service name ever seen within the retention, with its last-seen time. */
  seenServices(): Map<string, number> {
    const out = new Map(this.storedLastSeen);
    for (const [
      service,
      seen,
    ] of this.options.spanMetrics.lastSeenByService()) {
      if (seen > (out.get(service) ?? 0)) out.set(service, seen);
    }
    return out;
  }

  tracesPerSecond(serviceName: string): number | undefined {
    if (this.lastSeenMs(serviceName) === undefined) return undefined;
    return this.figures.get(serviceName)?.tracesPerSecond ?? 0;
  }

  /**
   * The service's traffic (see `trafficPerSecond`): what the fleet table and pages show.
   * Undefined when never seen, and when its spans arrived after the window was last read (the
   * first minute after a start): not measured yet, which is not 0/s.
   */
  requestsPerSecond(serviceName: string): number | undefined {
    const figures = this.figures.get(serviceName);
    if (figures) return trafficPerSecond(figures);
    const seen = this.lastSeenMs(serviceName);
    if (seen === undefined || seen >= this.windowReadAtMs) return undefined;
    return 0;
  }

  lastSeen(serviceName: string): Date | undefined {
    const ms = this.lastSeenMs(serviceName);
    return ms === undefined ? undefined : new Date(ms);
  }

  completeness(serviceName: string): number | undefined {
    return this.figures.get(serviceName)?.completeness;
  }

  /** A service's rollups over the last `hours`, in steps that keep at most 360 points. */
  async series(
    serviceName: string,
    hours: number,
  ): Promise<{
    from: number;
    to: number;
    stepMinutes: number;
    points: CoverageSeriesPoint[];
  }> {
    const stepMinutes = seriesStepMinutes(hours);
    const stepMs = stepMinutes * BUCKET_MS;
    const to = bucketStartOf(this.clock.now()) + BUCKET_MS;
    const from = to - Math.ceil((hours * 60) / stepMinutes) * stepMs;
    const steps = Array.from({ length: (to - from) / stepMs }, () =>
      emptyCounts(this.bounds.length + 1),
    );
    for (const row of await this.options.store.rows({
      fromMs: from,
      toMs: to,
      service: serviceName,
    })) {
      addCounts(steps[Math.floor((row.bucketStartMs - from) / stepMs)], row);
    }
    const stepSeconds = stepMs / 1000;
    const points = steps.map((c, i): CoverageSeriesPoint => {
      const judged = c.completeTraces + c.incompleteTraces;
      return {
        time: new Date(from + i * stepMs).toISOString(),
        spans: c.spans,
        errorSpans: c.errorSpans,
        traces: c.rootSpans,
        requests: c.entrySpans,
        spansPerSecond: c.spans / stepSeconds,
        requestsPerSecond: c.entrySpans / stepSeconds,
        tracesPerSecond: c.rootSpans / stepSeconds,
        errorRatio: c.spans > 0 ? c.errorSpans / c.spans : null,
        p95Seconds:
          histogramQuantile(0.95, this.bounds, c.durationCounts) ?? null,
        completeness: judged > 0 ? c.completeTraces / judged : null,
        orphanSpans: c.orphanSpans,
      };
    });
    return { from, to, stepMinutes, points };
  }

  private async refreshWindow(now: number): Promise<void> {
    const fromMs =
      bucketStartOf(now) - (this.options.windowMinutes - 1) * BUCKET_MS;
    const totals = new Map<string, RollupCounts>();
    for (const row of await this.options.store.rows({ fromMs })) {
      let total = totals.get(row.service);
      if (!total) {
        total = emptyCounts(this.bounds.length + 1);
        totals.set(row.service, total);
      }
      addCounts(total, row);
    }
    const seconds = Math.max(
      1,
      (now - Math.max(fromMs, this.observingSince)) / 1000,
    );
    const figures = new Map<string, ServiceFigures>();
    for (const [service, counts] of totals) {
      if (service === FLEET_ROW_SERVICE) continue;
      figures.set(service, serviceFigures(counts, this.bounds, seconds));
      if (
        counts.lastSeenMs !== undefined &&
        counts.lastSeenMs > (this.storedLastSeen.get(service) ?? 0)
      ) {
        this.storedLastSeen.set(service, counts.lastSeenMs);
      }
    }
    const expired = now - this.options.retentionHours * 3_600_000;
    for (const [service, seen] of this.storedLastSeen) {
      if (seen < expired) this.storedLastSeen.delete(service);
    }
    this.figures = figures;
    this.windowReadAtMs = now;
    const fleet = totals.get(FLEET_ROW_SERVICE);
    this.fleet = fleet
      ? serviceFigures(fleet, this.bounds, seconds)
      : NO_FIGURES;
  }
}
