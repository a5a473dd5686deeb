import { PIPELINE_METRICS } from '@internal/tracing-model';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerThreadCpu } from './threadCpu';

export interface MetricSources {
  memory(): { spans: number; bytes: number };
  memoryLimits(): {
    softBytes: number;
    hardBytes: number;
    softSpans: number;
    hardSpans: number;
  };
  queues(): { exporter: string; size: number; capacity: number }[];
}

/** The pipeline's self-telemetry, registered on the given registry (never the global one). */
export interface PipelineMetrics {
  spansReceived: Counter;
  spansAccepted: Counter;
  spansRefused: Counter<'reason'>;
  spansDropped: Counter<'reason'>;
  spansExported: Counter<'exporter'>;
  exportFailed: Counter<'exporter' | 'reason'>;
  exportDuration: Histogram<'exporter' | 'outcome'>;
  redactions: Counter<'action' | 'location'>;
  requests: Counter<'status'>;
  requestsRefused: Counter<'reason'>;
  requestsRefusedBytes: Counter<'reason'>;
}

export function createPipelineMetrics(
  registry: Registry,
  sources: MetricSources,
): PipelineMetrics {
  const registers = [registry];
  // A pipeline re-created in the same process (tests, restarts) replaces its metrics.
  for (const name of Object.values(PIPELINE_METRICS))
    registry.removeSingleMetric(name);
  registerThreadCpu(registry);

  // Gauges read from the pipeline at scrape time: the registry is what holds them.
  const scrapedGauges: Gauge<string>[] = [
    new Gauge({
      name: PIPELINE_METRICS.queueSize,
      help: 'Batches waiting in or being sent from an exporter queue.',
      labelNames: ['exporter'],
      registers: [],
      collect() {
        this.reset();
        for (const q of sources.queues())
          this.set({ exporter: q.exporter }, q.size);
      },
    }),
    new Gauge({
      name: PIPELINE_METRICS.queueCapacity,
      help: 'Capacity of an exporter queue in batches.',
      labelNames: ['exporter'],
      registers: [],
      collect() {
        this.reset();
        for (const q of sources.queues())
          this.set({ exporter: q.exporter }, q.capacity);
      },
    }),
    new Gauge({
      name: PIPELINE_METRICS.memoryUsedBytes,
      help: 'Bytes held by the pipeline, as counted by the memory limiter.',
      registers: [],
      collect() {
        this.set(sources.memory().bytes);
      },
    }),
    new Gauge({
      name: PIPELINE_METRICS.memoryUsedSpans,
      help: 'Spans held by the pipeline, as counted by the memory limiter.',
      registers: [],
      collect() {
        this.set(sources.memory().spans);
      },
    }),
    new Gauge({
      name: PIPELINE_METRICS.memoryLimitBytes,
      help: 'Memory limiter byte limits.',
      labelNames: ['limit'],
      registers: [],
      collect() {
        const l = sources.memoryLimits();
        this.set({ limit: 'soft' }, l.softBytes);
        this.set({ limit: 'hard' }, l.hardBytes);
      },
    }),
    new Gauge({
      name: PIPELINE_METRICS.memoryLimitSpans,
      help: 'Memory limiter span limits.',
      labelNames: ['limit'],
      registers: [],
      collect() {
        const l = sources.memoryLimits();
        this.set({ limit: 'soft' }, l.softSpans);
        this.set({ limit: 'hard' }, l.hardSpans);
      },
    }),
  ];
  for (const gauge of scrapedGauges) registry.registerMetric(gauge);

  return {
    spansReceived: new Counter({
      name: PIPELINE_METRICS.spansReceived,
      help: 'Spans in decoded OTLP requests, valid or not.',
      registers,
    }),
    spansAccepted: new Counter({
      name: PIPELINE_METRICS.spansAccepted,
      help: 'Spans taken in by the pipeline.',
      registers,
    }),
    spansRefused: new Counter({
      name: PIPELINE_METRICS.spansRefused,
      help: 'Spans refused to the client (invalid, or memory limit).',
      labelNames: ['reason'],
      registers,
    }),
    spansDropped: new Counter({
      name: PIPELINE_METRICS.spansDropped,
      help: 'Accepted spans that will never be exported.',
      labelNames: ['reason'],
      registers,
    }),
    spansExported: new Counter({
      name: PIPELINE_METRICS.spansExported,
      help: 'Spans delivered, per exporter.',
      labelNames: ['exporter'],
      registers,
    }),
    exportFailed: new Counter({
      name: PIPELINE_METRICS.exportFailed,
      help: 'Spans an exporter gave up on.',
      labelNames: ['exporter', 'reason'],
      registers,
    }),
    exportDuration: new Histogram({
      name: PIPELINE_METRICS.exportDurationSeconds,
      help: 'Duration of export attempts.',
      labelNames: ['exporter', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    redactions: new Counter({
      name: PIPELINE_METRICS.redactions,
      help: 'Attribute values redacted by the sanitizer.',
      labelNames: ['action', 'location'],
      registers,
    }),
    requests: new Counter({
      name: PIPELINE_METRICS.requests,
      help: 'OTLP/HTTP responses by status code.',
      labelNames: ['status'],
      registers,
    }),
    requestsRefused: new Counter({
      name: PIPELINE_METRICS.requestsRefused,
      help: 'OTLP/HTTP requests refused (429/503, 413 for size limits), most before their spans were counted.',
      labelNames: ['reason'],
      registers,
    }),
    requestsRefusedBytes: new Counter({
      name: PIPELINE_METRICS.requestsRefusedBytes,
      help: 'Bytes as sent (Content-Length, or read) of refused OTLP/HTTP requests.',
      labelNames: ['reason'],
      registers,
    }),
  };
}
