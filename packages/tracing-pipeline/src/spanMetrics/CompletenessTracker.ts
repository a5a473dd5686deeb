/** What the tracker concludes about one trace at the end of its window. */
export interface TraceJudgement<S> {
  complete: boolean;
  /** Every service that sent spans of the trace (each once). */
  services: S[];
  /** Spans whose parent never arrived, by the service that sent them. */
  orphans: Map<S, number>;
}

export interface CompletenessTrackerOptions<S> {
  /** How long after its first span a trace is judged, in milliseconds. */
  windowMs: number;
  /** Traces tracked at once; further new traces are counted as untracked, not judged. */
  maxTraces: number;
  onJudged(judgement: TraceJudgement<S>): void;
}

interface TrackedTrace<S> {
  deadline: number;
  spanIds: Set<string>;
  /** Parent ids to look for at the deadline, parallel to `childServices`. */
  parentIds: string[];
  childServices: S[];
  services: Set<S>;
}

/**
 * Judges trace completeness: a span is an orphan when its parent has not arrived by the end of
 * the trace's window (which starts with the trace's first span); a trace is complete when it has
 * no orphans. Memory is bounded: at most `maxTraces` traces are tracked, and as many settled
 * trace ids (judged or refused) are remembered for one more window so that their late spans are
 * ignored rather than judged as a new, parentless trace.
 */
export class CompletenessTracker<S> {
  private readonly traces = new Map<string, TrackedTrace<S>>();
  private readonly settled = new Map<string, number>();
  private untracked = 0;
  private late = 0;

  constructor(private readonly options: CompletenessTrackerOptions<S>) {
    if (!(options.windowMs > 0))
      throw new RangeError('windowMs must be positive');
    if (!(options.maxTraces >= 1))
      throw new RangeError('maxTraces must be at least 1');
  }

  /** Records one span; `parentId` is empty for root spans. Judges expired traces first. */
  add(
    traceId: string,
    spanId: string,
    parentId: string,
    service: S,
    now: number,
  ): void {
    let trace = this.traces.get(traceId);
    if (!trace) {
      const settledUntil = this.settled.get(traceId);
      if (settledUntil !== undefined && settledUntil > now) {
        this.late++;
        return;
      }
      if (this.traces.size >= this.options.maxTraces) {
        this.untracked++;
        this.remember(traceId, now + this.options.windowMs);
        return;
      }
      trace = {
        deadline: now + this.options.windowMs,
        spanIds: new Set(),
        parentIds: [],
        childServices: [],
        services: new Set(),
      };
      this.traces.set(traceId, trace);
    }
    trace.spanIds.add(spanId);
    trace.services.add(service);
    if (parentId) {
      trace.parentIds.push(parentId);
      trace.childServices.push(service);
    }
  }

  /** Judges every trace whose window has ended by `now`. */
  sweep(now: number): void {
    // Deadlines grow with insertion order, so the expired traces are a prefix of the map.
    for (const [traceId, trace] of this.traces) {
      if (trace.deadline > now) break;
      this.judge(traceId, trace, now);
    }
    for (const [traceId, until] of this.settled) {
      if (until > now) break;
      this.settled.delete(traceId);
    }
  }

  stats(): { tracked: number; untracked: number; lateSpans: number } {
    return {
      tracked: this.traces.size,
      untracked: this.untracked,
      lateSpans: this.late,
    };
  }

  private judge(traceId: string, trace: TrackedTrace<S>, now: number): void {
    this.traces.delete(traceId);
    this.remember(traceId, now + this.options.windowMs);
    const orphans = new Map<S, number>();
    for (let i = 0; i < trace.parentIds.length; i++) {
      if (!trace.spanIds.has(trace.parentIds[i])) {
        const service = trace.childServices[i];
        orphans.set(service, (orphans.get(service) ?? 0) + 1);
      }
    }
    this.options.onJudged({
      complete: orphans.size === 0,
      services: [...trace.services],
      orphans,
    });
  }

  private remember(traceId: string, until: number): void {
    this.settled.delete(traceId);
    this.settled.set(traceId, until);
    if (this.settled.size > this.options.maxTraces) {
      const oldest = this.settled.keys().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }
}
