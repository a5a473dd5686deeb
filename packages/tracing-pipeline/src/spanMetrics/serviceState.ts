import { SPAN_KIND_LABELS, STATUS_CODE_LABELS } from './labels';

/** What SpanMetrics counts for one service (the series of its metrics and its snapshot). */
export class ServiceState {
  spans = 0;
  errorSpans = 0;
  rootSpans = 0;
  orphanSpans = 0;
  completeTraces = 0;
  incompleteTraces = 0;
  spansByKind: number[];
  spansByKindAndStatus: number[];
  /** Per span kind: the duration bucket counts (not cumulative, `+Inf` last), kind after kind. */
  durationCountsByKind: number[];
  durationSumByKind: number[];
  lastSeenMs = 0;

  constructor(readonly service: string, readonly bucketsPerKind: number) {
    this.spansByKind = new Array(SPAN_KIND_LABELS.length).fill(0);
    this.spansByKindAndStatus = new Array(
      SPAN_KIND_LABELS.length * STATUS_CODE_LABELS.length,
    ).fill(0);
    this.durationCountsByKind = new Array(
      SPAN_KIND_LABELS.length * bucketsPerKind,
    ).fill(0);
    this.durationSumByKind = new Array(SPAN_KIND_LABELS.length).fill(0);
  }

  /** Duration bucket counts over all kinds. */
  durationCounts(): number[] {
    const out = new Array(this.bucketsPerKind).fill(0);
    this.durationCountsByKind.forEach((n, i) => {
      out[i % this.bucketsPerKind] += n;
    });
    return out;
  }
}
