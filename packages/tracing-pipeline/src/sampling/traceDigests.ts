import { ruleKindOf } from '@internal/tracing-model';
import { int64ToNumber } from '../otlp/model';
import type { DecisionOutcome } from './tailSampler';
import type { TraceView } from './traceData';

/*
 * Trace digests: what the sampler saw of each trace before deciding, kept small and bounded, so
 * the portal can answer "what would this policy keep" (the preview replays the sampler's own
 * decision code over them), "why were traces kept" and "what do my traces cost downstream".
 */

/** A flat attribute value (strings cut to 128 characters). */
export type DigestValue = string | number | boolean;

/** One service's part of a digested trace. */
export interface DigestServicePart {
  service: string;
  spans: number;
  /** A span of this service had status ERROR. */
  error: boolean;
  /** The longest span of this service, in nanoseconds. */
  maxDurationNs: number;
}

/** One trace as the sampler saw it, rooted at `rootService`. */
export interface TraceDigest {
  atMs: number;
  rootService: string;
  rootName: string;
  /** The root span's own attributes (at most 16), then its resource's (at most 16). */
  attributes: Record<string, DigestValue>;
  resourceAttributes: Record<string, DigestValue>;
  spans: number;
  bytes: number;
  /** Per service (at most 16; spans of the others are in `spans` only). */
  services: DigestServicePart[];
  kept: boolean;
  rule?: string;
}

/** Counts of traces rooted at one service during one minute. */
export interface MinuteCounts {
  /** Minute start, ms since the epoch. */
  minute: number;
  traces: number;
  spans: number;
  bytes: number;
  keptTraces: number;
  keptSpans: number;
  keptBytes: number;
  /** Kept traces by rule kind. */
  keptByRule: Record<string, number>;
  /** Spans of these traces by the service that emitted them. */
  spansByService: Record<string, number>;
  keptSpansByService: Record<string, number>;
}

/** What a worker reports (deltas since its previous report). */
export interface TraceDigestDelta {
  minutes: Array<{ rootService: string; counts: MinuteCounts }>;
  digests: TraceDigest[];
}

export interface TraceDigestLimits {
  /** Root services tracked (others are not counted). Default 2000. */
  maxServices?: number;
  /** Digests kept per root service (the most recent). Default 200. */
  digestsPerService?: number;
  /** Root services whose digests are kept. Default 300. */
  maxDigestServices?: number;
  /** Downstream services named per root service and minute (the rest: `_other`). Default 50. */
  maxServicesPerMinute?: number;
  /** At most one digest per root service per this many ms (counts take every trace). Default 20. */
  minDigestIntervalMs?: number;
  /** When observation began (ms); default: when the store is created. */
  startedAtMs?: number;
}

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
const MAX_ATTRIBUTES = 16;
const MAX_VALUE_LENGTH = 128;
const MAX_PARTS = 16;
export const OTHER_SERVICES = '_other';

function flatValue(v: unknown): DigestValue | undefined {
  const value = v as Record<string, unknown> | null | undefined;
  if (!value) return undefined;
  if (typeof value.stringValue === 'string')
    return value.stringValue.slice(0, MAX_VALUE_LENGTH);
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (value.intValue !== null && value.intValue !== undefined)
    return int64ToNumber(value.intValue as any);
  return undefined;
}

function flatAttributes(
  list: Array<{ key?: string | null; value?: unknown }> | null | undefined,
): Record<string, DigestValue> {
  const out: Record<string, DigestValue> = {};
  let n = 0;
  for (const kv of list ?? []) {
    if (n >= MAX_ATTRIBUTES) break;
    if (!kv.key || kv.key.length > MAX_VALUE_LENGTH) continue;
    const v = flatValue(kv.value);
    if (v === undefined) continue;
    out[kv.key] = v;
    n++;
  }
  return out;
}

function emptyMinute(minute: number): MinuteCounts {
  return {
    minute,
    traces: 0,
    spans: 0,
    bytes: 0,
    keptTraces: 0,
    keptSpans: 0,
    keptBytes: 0,
    keptByRule: {},
    spansByService: {},
    keptSpansByService: {},
  };
}

function addMap(
  into: Record<string, number>,
  from: Record<string, number>,
  max: number,
) {
  for (const [k, v] of Object.entries(from)) {
    const key =
      k in into || Object.keys(into).length < max ? k : OTHER_SERVICES;
    into[key] = (into[key] ?? 0) + v;
  }
}

function addMinute(into: MinuteCounts, from: MinuteCounts, max: number) {
  into.traces += from.traces;
  into.spans += from.spans;
  into.bytes += from.bytes;
  into.keptTraces += from.keptTraces;
  into.keptSpans += from.keptSpans;
  into.keptBytes += from.keptBytes;
  addMap(into.keptByRule, from.keptByRule, 64);
  addMap(into.spansByService, from.spansByService, max);
  addMap(into.keptSpansByService, from.keptSpansByService, max);
}

/** Summarizes a decided trace (cheap: the sampler already read each span's summary). */
export function countTrace(
  trace: TraceView,
  outcome: DecisionOutcome,
  minute: number,
): { rootService: string; counts: MinuteCounts; parts: DigestServicePart[] } {
  const views = trace.spans();
  const root = views[outcome.rootIndex] ?? views[0];
  const counts = emptyMinute(minute);
  counts.traces = 1;
  counts.spans = views.length;
  counts.bytes = trace.data.bytes;
  const parts = new Map<string, DigestServicePart>();
  for (const v of views) {
    const service = v.origin.service;
    counts.spansByService[service] = (counts.spansByService[service] ?? 0) + 1;
    let part = parts.get(service);
    if (!part) {
      part = { service, spans: 0, error: false, maxDurationNs: 0 };
      parts.set(service, part);
    }
    part.spans++;
    if (v.statusCode === 2) part.error = true;
    if (v.durationNs > part.maxDurationNs) part.maxDurationNs = v.durationNs;
  }
  if (outcome.sampled) {
    counts.keptTraces = 1;
    counts.keptSpans = counts.spans;
    counts.keptBytes = counts.bytes;
    counts.keptByRule[ruleKindOf(outcome.rule ?? 'rate')] = 1;
    counts.keptSpansByService = { ...counts.spansByService };
  }
  return {
    rootService: root?.origin.service ?? '',
    counts,
    parts: [...parts.values()].slice(0, MAX_PARTS),
  };
}

/** The full digest of a trace (decodes the root span's attributes). */
export function digestTrace(
  trace: TraceView,
  outcome: DecisionOutcome,
  atMs: number,
  parts: DigestServicePart[],
): TraceDigest {
  const views = trace.spans();
  const root = views[outcome.rootIndex] ?? views[0];
  const digest: TraceDigest = {
    atMs,
    rootService: root.origin.service,
    rootName: root.name.slice(0, 1024),
    attributes: flatAttributes(root.toSpan().attributes),
    resourceAttributes: flatAttributes(root.origin.resource?.attributes),
    spans: views.length,
    bytes: trace.data.bytes,
    services: parts,
    kept: outcome.sampled,
  };
  if (outcome.rule) digest.rule = outcome.rule;
  return digest;
}

/**
 * The digests and per-minute counts of the last hour, per root service, bounded. In-process it
 * records decisions directly (`recorder()`); in worker mode each worker has a
 * `TraceDigestBuffer` and the main thread's store `ingest`s their deltas.
 */
export class TraceDigests {
  private readonly minutes = new Map<string, MinuteCounts[]>();
  private readonly recent = new Map<string, TraceDigest[]>();
  private readonly lastDigestAt = new Map<string, number>();
  private readonly limits: Required<Omit<TraceDigestLimits, 'startedAtMs'>>;
  /** When this store started observing (ms). */
  readonly startedAtMs: number;

  constructor(
    limits: TraceDigestLimits = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.limits = {
      maxServices: limits.maxServices ?? 2000,
      digestsPerService: limits.digestsPerService ?? 200,
      maxDigestServices: limits.maxDigestServices ?? 300,
      maxServicesPerMinute: limits.maxServicesPerMinute ?? 50,
      minDigestIntervalMs: limits.minDigestIntervalMs ?? 20,
    };
    this.startedAtMs = limits.startedAtMs ?? clock();
  }

  /** `onDecided` for the sampling stage. */
  recorder(): (trace: TraceView, outcome: DecisionOutcome) => void {
    return (trace, outcome) => {
      if (trace.spanCount === 0) return;
      const now = this.clock();
      const { rootService, counts, parts } = countTrace(
        trace,
        outcome,
        now - (now % MINUTE_MS),
      );
      this.addCounts(rootService, counts);
      if (this.wantsDigest(rootService, now))
        this.addDigest(digestTrace(trace, outcome, now, parts));
    };
  }

  /** Adds a worker's delta. */
  ingest(delta: TraceDigestDelta): void {
    for (const m of delta.minutes) this.addCounts(m.rootService, m.counts);
    for (const d of delta.digests) this.addDigest(d);
  }

  /** Whether a digest of a trace rooted at `service` at `now` would be kept. */
  wantsDigest(service: string, now: number): boolean {
    const last = this.lastDigestAt.get(service);
    if (last !== undefined && now - last < this.limits.minDigestIntervalMs)
      return false;
    if (
      !this.recent.has(service) &&
      this.recent.size >= this.limits.maxDigestServices
    )
      return false;
    this.lastDigestAt.set(service, now);
    if (this.lastDigestAt.size > this.limits.maxServices * 2)
      this.lastDigestAt.clear();
    return true;
  }

  addCounts(rootService: string, counts: MinuteCounts): void {
    let list = this.minutes.get(rootService);
    if (!list) {
      if (this.minutes.size >= this.limits.maxServices) return;
      list = [];
      this.minutes.set(rootService, list);
    }
    let bucket = list.find(b => b.minute === counts.minute);
    if (!bucket) {
      bucket = emptyMinute(counts.minute);
      list.push(bucket);
      list.sort((a, b) => a.minute - b.minute);
      const oldest = this.clock() - (HOUR_MINUTES + 1) * MINUTE_MS;
      while (list.length > 0 && list[0].minute < oldest) list.shift();
    }
    addMinute(bucket, counts, this.limits.maxServicesPerMinute);
  }

  addDigest(digest: TraceDigest): void {
    let ring = this.recent.get(digest.rootService);
    if (!ring) {
      if (this.recent.size >= this.limits.maxDigestServices) return;
      ring = [];
      this.recent.set(digest.rootService, ring);
    }
    ring.push(digest);
    if (ring.length > this.limits.digestsPerService) ring.shift();
  }

  /** Counts of traces rooted at `service` over the last `minutes` (whole minutes). */
  window(
    service: string,
    minutes = HOUR_MINUTES,
  ): {
    counts: MinuteCounts;
    seconds: number;
  } {
    const now = this.clock();
    const from = now - minutes * MINUTE_MS;
    const total = emptyMinute(from);
    for (const m of this.minutes.get(service) ?? []) {
      if (m.minute + MINUTE_MS > from)
        addMinute(total, m, Number.MAX_SAFE_INTEGER);
    }
    const since = Math.max(from, this.startedAtMs);
    return { counts: total, seconds: Math.max(1, (now - since) / 1000) };
  }

  /** The digests of the last hour of traces rooted at `service`, oldest first. */
  digests(service: string): TraceDigest[] {
    const from = this.clock() - HOUR_MINUTES * MINUTE_MS;
    return (this.recent.get(service) ?? []).filter(d => d.atMs >= from);
  }

  /** Root services with counts. */
  services(): string[] {
    return [...this.minutes.keys()];
  }
}

/** A worker's side: records decisions and hands the main thread what is new. */
export class TraceDigestBuffer {
  private pending = new Map<string, MinuteCounts>();
  private digests: TraceDigest[] = [];
  private readonly gate: TraceDigests;

  constructor(
    limits: TraceDigestLimits = {},
    private readonly clock: () => number = Date.now,
    private readonly maxDigestsPerDrain = 2000,
  ) {
    this.gate = new TraceDigests(limits, clock);
  }

  recorder(): (trace: TraceView, outcome: DecisionOutcome) => void {
    return (trace, outcome) => {
      if (trace.spanCount === 0) return;
      const now = this.clock();
      const { rootService, counts, parts } = countTrace(
        trace,
        outcome,
        now - (now % MINUTE_MS),
      );
      const key = `${counts.minute}|${rootService}`;
      const into = this.pending.get(key);
      if (into) addMinute(into, counts, 50);
      else if (this.pending.size < 10_000) this.pending.set(key, counts);
      if (
        this.digests.length < this.maxDigestsPerDrain &&
        this.gate.wantsDigest(rootService, now)
      )
        this.digests.push(digestTrace(trace, outcome, now, parts));
    };
  }

  drain(): TraceDigestDelta {
    const minutes = [...this.pending.entries()].map(([key, counts]) => ({
      rootService: key.slice(key.indexOf('|') + 1),
      counts,
    }));
    const digests = this.digests;
    this.pending = new Map();
    this.digests = [];
    return { minutes, digests };
  }
}
