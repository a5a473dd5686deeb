import { Counter, Gauge, Metric, Registry } from 'prom-client';
import { SPAN_METRICS } from '@internal/tracing-model';
import { SPAN_KIND_LABELS, STATUS_CODE_LABELS } from './labels';
import { ServiceState } from './serviceState';

/** What the span metrics read from a SpanMetrics at scrape time. */
export interface SpanMetricsSource {
  services(): Iterable<ServiceState>;
  /** Judges the traces whose completeness window has ended (before the series that count them). */
  sweep(): void;
  bounds: readonly number[];
}

/** Registers the span metrics, computed at scrape time from the per-service state. */
export function registerSpanMetrics(
  registry: Registry,
  source: SpanMetricsSource,
): void {
  registerCounters(registry, source);
  registerDurationHistogram(registry, source);
}

function registerCounters(
  registry: Registry,
  { services, sweep }: SpanMetricsSource,
): void {
  // Series computed at scrape time from the per-service state: the registry is what holds them.
  const scraped: Metric[] = [
    new Counter({
      name: SPAN_METRICS.spans,
      help: 'Spans received per service, span kind and status code, before sampling.',
      labelNames: ['service', 'span_kind', 'status_code'],
      registers: [],
      collect() {
        this.reset();
        for (const s of services()) {
          s.spansByKindAndStatus.forEach((count, i) => {
            if (count === 0) return;
            this.inc(
              {
                service: s.service,
                span_kind:
                  SPAN_KIND_LABELS[Math.floor(i / STATUS_CODE_LABELS.length)],
                status_code: STATUS_CODE_LABELS[i % STATUS_CODE_LABELS.length],
              },
              count,
            );
          });
        }
      },
    }),
    new Counter({
      name: SPAN_METRICS.traces,
      help: 'Root spans per service: traces the service started.',
      labelNames: ['service'],
      registers: [],
      collect() {
        this.reset();
        for (const s of services())
          if (s.rootSpans) this.inc({ service: s.service }, s.rootSpans);
      },
    }),
    new Counter({
      name: SPAN_METRICS.orphanSpans,
      help: 'Spans whose parent did not arrive within the completeness window.',
      labelNames: ['service'],
      registers: [],
      collect() {
        sweep();
        this.reset();
        for (const s of services())
          this.inc({ service: s.service }, s.orphanSpans);
      },
    }),
    new Counter({
      name: SPAN_METRICS.tracesJudged,
      help: 'Traces a service took part in, judged complete or not at the end of the completeness window.',
      labelNames: ['service', 'complete'],
      registers: [],
      collect() {
        sweep();
        this.reset();
        for (const s of services()) {
          this.inc({ service: s.service, complete: 'true' }, s.completeTraces);
          this.inc(
            { service: s.service, complete: 'false' },
            s.incompleteTraces,
          );
        }
      },
    }),
    new Gauge({
      name: SPAN_METRICS.lastSeen,
      help: 'Unix time in seconds of the last span received per service.',
      labelNames: ['service'],
      registers: [],
      collect() {
        this.reset();
        for (const s of services())
          this.set({ service: s.service }, s.lastSeenMs / 1000);
      },
    }),
  ];
  for (const metric of scraped) registry.registerMetric(metric);
}

/**
 * `tracing_health_service_span_duration_seconds` per service and span kind, computed at scrape
 * time from the in-place bucket counts. prom-client has no histogram whose counts live
 * elsewhere, so this is a metric object the registry reads like its own (`get()` returning
 * the histogram's series, as prom-client's Histogram does).
 */
function registerDurationHistogram(
  registry: Registry,
  { services, bounds }: SpanMetricsSource,
): void {
  const name = SPAN_METRICS.duration;
  const help = 'Span durations per service and span kind, before sampling.';
  const histogram = {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    reset() {},
    async get() {
      const values: Array<{
        labels: Record<string, string | number>;
        value: number;
        metricName: string;
      }> = [];
      for (const s of services()) {
        for (let kind = 0; kind < SPAN_KIND_LABELS.length; kind++) {
          const offset = kind * s.bucketsPerKind;
          let count = 0;
          for (let i = 0; i < s.bucketsPerKind; i++)
            count += s.durationCountsByKind[offset + i];
          if (count === 0) continue;
          const labels = {
            service: s.service,
            span_kind: SPAN_KIND_LABELS[kind],
          };
          let cumulative = 0;
          bounds.forEach((le, i) => {
            cumulative += s.durationCountsByKind[offset + i];
            values.push({
              labels: { le, ...labels },
              value: cumulative,
              metricName: `${name}_bucket`,
            });
          });
          values.push(
            {
              labels: { le: '+Inf', ...labels },
              value: count,
              metricName: `${name}_bucket`,
            },
            {
              labels,
              value: s.durationSumByKind[kind],
              metricName: `${name}_sum`,
            },
            { labels, value: count, metricName: `${name}_count` },
          );
        }
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  registry.registerMetric(histogram as unknown as Metric);
}
