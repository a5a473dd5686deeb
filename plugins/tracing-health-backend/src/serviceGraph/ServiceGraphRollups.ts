import { randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import type { ServiceGraphSnapshot } from '@internal/tracing-pipeline';
import {
  addEdgeCounts,
  EdgeCounts,
  EdgeKey,
  EdgeRollupRow,
  emptyEdgeCounts,
  ServiceGraphRollupStore,
} from './ServiceGraphRollupStore';

const BUCKET_MS = 60_000;
const SEP = '\u0000';

/** The service graph's read side: the pipeline's ServiceGraph, or the workers' merged graphs. */
export interface ServiceGraphSource {
  snapshot(): ServiceGraphSnapshot;
}

/** One edge's totals over the window. */
export interface WindowEdge extends EdgeKey, EdgeCounts {}

export interface ServiceGraphWindow {
  edges: WindowEdge[];
  /** Per server service. */
  orphanServerSpans: Map<string, number>;
  /** Seconds the window covers (shorter right after the first start). */
  seconds: number;
  durationBoundsSeconds: readonly number[];
}

export interface ServiceGraphRollupsOptions {
  store: ServiceGraphRollupStore;
  graph: ServiceGraphSource;
  clock?: { now(): number };
  windowMinutes: number;
  retentionHours: number;
  /** Rows kept in the table at most; the oldest buckets go first. */
  maxRows: number;
  logger?: LoggerService;
  instanceId?: string;
}

const keyOf = (k: EdgeKey) =>
  k.client + SEP + k.server + SEP + k.connectionType;

/**
 * Persists the service graph as 1-minute rollups per edge (as CoverageRollups does for span
 * metrics) and keeps the recent window's totals for the dependency routes. `flush()` runs on a
 * schedule: it writes what the graph counted since the previous flush into the current minute's
 * bucket, applies the retention and size bounds, then re-reads the window (other replicas' rows
 * included).
 */
export class ServiceGraphRollups {
  private readonly clock: { now(): number };
  private readonly instanceId: string;
  private previous = new Map<string, EdgeCounts>();
  private ownBucket = -1;
  private own = new Map<string, EdgeRollupRow>();
  private observingSince: number;
  private flushing: Promise<void> = Promise.resolve();
  private current: ServiceGraphWindow;

  constructor(private readonly options: ServiceGraphRollupsOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.instanceId = options.instanceId ?? randomUUID();
    this.observingSince = this.clock.now();
    this.current = {
      edges: [],
      orphanServerSpans: new Map(),
      seconds: 1,
      durationBoundsSeconds: options.graph.snapshot().durationBoundsSeconds,
    };
  }

  async start(): Promise<void> {
    const rows = await this.options.store.rows(0).catch(() => []);
    for (const r of rows)
      this.observingSince = Math.min(this.observingSince, r.bucketStartMs);
    await this.refreshWindow(this.clock.now());
  }

  /** The edges over the last `windowMinutes`, as of the latest flush. */
  window(): ServiceGraphWindow {
    return this.current;
  }

  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    const snapshot = this.options.graph.snapshot();
    const now = this.clock.now();
    const bucket = Math.floor((now - 1) / BUCKET_MS) * BUCKET_MS;
    const own =
      bucket === this.ownBucket ? this.own : new Map<string, EdgeRollupRow>();
    const buckets = snapshot.durationBoundsSeconds.length + 1;

    const cumulative = new Map<string, { key: EdgeKey; counts: EdgeCounts }>();
    for (const e of snapshot.edges) {
      cumulative.set(keyOf(e), {
        key: e,
        counts: { ...e, orphanServerSpans: 0 },
      });
    }
    for (const [server, n] of Object.entries(snapshot.orphanServerSpans)) {
      const key: EdgeKey = { client: '', server, connectionType: '' };
      cumulative.set(keyOf(key), {
        key,
        counts: { ...emptyEdgeCounts(buckets), orphanServerSpans: n },
      });
    }

    const changed: EdgeRollupRow[] = [];
    for (const [k, { key, counts }] of cumulative) {
      const p = this.previous.get(k);
      // A counter below its previous value was reset (a restarted worker): count it from zero.
      const d = (c: number, q: number | undefined) =>
        c >= (q ?? 0) ? c - (q ?? 0) : c;
      const delta: EdgeCounts = {
        requests: d(counts.requests, p?.requests),
        failed: d(counts.failed, p?.failed),
        broken: d(counts.broken, p?.broken),
        orphanServerSpans: d(counts.orphanServerSpans, p?.orphanServerSpans),
        durationSumSeconds: Math.max(
          0,
          counts.durationSumSeconds - (p?.durationSumSeconds ?? 0),
        ),
        durationCounts: counts.durationCounts.map((c, i) =>
          d(c, p?.durationCounts[i]),
        ),
      };
      if (!delta.requests && !delta.broken && !delta.orphanServerSpans)
        continue;
      const row: EdgeRollupRow = {
        ...key,
        bucketStartMs: bucket,
        instanceId: this.instanceId,
        ...emptyEdgeCounts(buckets),
      };
      const earlier = own.get(k);
      if (earlier) addEdgeCounts(row, earlier);
      addEdgeCounts(row, delta);
      changed.push(row);
    }
    if (changed.length > 0) await this.options.store.upsert(changed);
    for (const row of changed) own.set(keyOf(row), row);
    this.own = own;
    this.ownBucket = bucket;
    this.previous = new Map([...cumulative].map(([k, v]) => [k, v.counts]));

    const deleted =
      (await this.options.store.deleteBefore(
        now - this.options.retentionHours * 3_600_000,
      )) + (await this.options.store.trimToMaxRows(this.options.maxRows));
    if (deleted > 0)
      this.options.logger?.debug(
        `Deleted ${deleted} service graph rollup rows`,
      );
    await this.refreshWindow(now);
  }

  private async refreshWindow(now: number): Promise<void> {
    const bucketNow = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const fromMs = bucketNow - (this.options.windowMinutes - 1) * BUCKET_MS;
    const buckets = this.current.durationBoundsSeconds.length + 1;
    const edges = new Map<string, WindowEdge>();
    const orphans = new Map<string, number>();
    for (const row of await this.options.store.rows(fromMs)) {
      if (row.client === '') {
        orphans.set(
          row.server,
          (orphans.get(row.server) ?? 0) + row.orphanServerSpans,
        );
        continue;
      }
      const k = keyOf(row);
      let edge = edges.get(k);
      if (!edge) {
        edge = {
          client: row.client,
          server: row.server,
          connectionType: row.connectionType,
          ...emptyEdgeCounts(buckets),
        };
        edges.set(k, edge);
      }
      addEdgeCounts(edge, row);
    }
    this.current = {
      edges: [...edges.values()],
      orphanServerSpans: orphans,
      seconds: Math.max(
        1,
        (now - Math.max(fromMs, this.observingSince)) / 1000,
      ),
      durationBoundsSeconds: this.current.durationBoundsSeconds,
    };
  }
}
