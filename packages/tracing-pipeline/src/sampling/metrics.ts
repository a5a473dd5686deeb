import { Counter, Gauge, Registry } from 'prom-client';
import { SAMPLING_METRICS } from '@internal/tracing-model';

/**
 * The sampling engine's metrics, registered once per registry (several stages or samplers on
 * one registry share them; the global registry is never used).
 */
export class SamplingMetrics {
  readonly decisions: Counter<'sampler' | 'policy' | 'decision'>;
  readonly tailTraces: Gauge;
  readonly tailSpans: Gauge;
  readonly tailBytes: Gauge;
  readonly earlyDecisions: Counter<'reason'>;
  readonly lateSpans: Counter<'decision'>;
  readonly rate: Gauge<'service'>;
  readonly inconsistentThresholds: Counter;
  readonly invalidTraceIds: Counter;
  readonly keptTraces: Counter<'service' | 'rule'>;

  private static readonly byRegistry = new WeakMap<Registry, SamplingMetrics>();

  /** The metrics on `registry`, registering them the first time. */
  static for(registry: Registry): SamplingMetrics {
    let metrics = SamplingMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new SamplingMetrics(registry);
      SamplingMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  /** Metrics on a private registry, for samplers used without one (tests, benchmarks). */
  static detached(): SamplingMetrics {
    return new SamplingMetrics(new Registry());
  }

  private constructor(registry: Registry) {
    const existing = <T>(name: string) =>
      registry.getSingleMetric(name) as T | undefined;
    const counter = <L extends string>(
      name: string,
      help: string,
      labelNames: L[] = [],
    ) =>
      existing<Counter<L>>(name) ??
      new Counter<L>({ name, help, labelNames, registers: [registry] });
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: L[] = [],
    ) =>
      existing<Gauge<L>>(name) ??
      new Gauge<L>({ name, help, labelNames, registers: [registry] });

    this.decisions = counter(
      SAMPLING_METRICS.decisions,
      'Trace sampling decisions, by the sampler and policy that made them.',
      ['sampler', 'policy', 'decision'],
    );
    this.tailTraces = gauge(
      SAMPLING_METRICS.tailTraces,
      'Traces buffered by the tail sampler.',
    );
    this.tailSpans = gauge(
      SAMPLING_METRICS.tailSpans,
      'Spans buffered by the tail sampler.',
    );
    this.tailBytes = gauge(
      SAMPLING_METRICS.tailBytes,
      'Estimated bytes of spans buffered by the tail sampler.',
    );
    this.earlyDecisions = counter(
      SAMPLING_METRICS.earlyDecisions,
      'Traces decided before their decision wait ended, because a bound was reached or on flush.',
      ['reason'],
    );
    this.lateSpans = counter(
      SAMPLING_METRICS.lateSpans,
      'Spans that arrived after their trace was decided and followed the cached decision.',
      ['decision'],
    );
    this.rate = gauge(
      SAMPLING_METRICS.rate,
      'Head sampling rate currently applied to a service (computed, for adaptive services).',
      ['service'],
    );
    this.inconsistentThresholds = counter(
      SAMPLING_METRICS.inconsistentThresholds,
      'Incoming ot=th thresholds ignored because the trace randomness contradicts them.',
    );
    this.invalidTraceIds = counter(
      SAMPLING_METRICS.invalidTraceIds,
      'Spans dropped by the sampler because their trace id is not 16 bytes.',
    );
    this.keptTraces = counter(
      SAMPLING_METRICS.keptTraces,
      'Kept traces, by the service of their root span and the kind of rule that kept them.',
      ['service', 'rule'],
    );
  }
}
