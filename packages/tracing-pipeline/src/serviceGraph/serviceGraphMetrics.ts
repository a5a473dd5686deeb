import { Counter, Gauge, Metric, Registry } from 'prom-client';
import { SERVICE_GRAPH_METRICS } from '@internal/tracing-model';
import { EdgeState } from './types';

/** What the metrics read from a ServiceGraph at scrape time. */
export interface ServiceGraphMetricsSource {
  edges(): readonly EdgeState[];
  /** Settles the halves whose wait has ended (before each scrape). */
  sweep(): void;
  bounds: readonly number[];
  dropped: Record<string, number>;
  pendingCount(): number;
  orphanServer: Map<string, number>;
  unpairedClient: Map<string, number>;
}

/** Registers the service graph's metrics, computed from its state at scrape time. */
export function registerServiceGraphMetrics(
  registry: Registry,
  source: ServiceGraphMetricsSource,
): void {
  const { edges, sweep } = source;
  const labels = (e: EdgeState) => ({
    client: e.client,
    server: e.server,
    connection_type: e.connectionType,
  });
  const perService = (
    name: string,
    help: string,
    label: string,
    map: Map<string, number>,
  ) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [],
      collect() {
        sweep();
        this.reset();
        for (const [service, n] of map) this.inc({ [label]: service }, n);
      },
    });
  const dropped = source.dropped;
  const metrics: Metric[] = [
    new Counter({
      name: SERVICE_GRAPH_METRICS.requests,
      help: 'Calls per edge client -> server, paired from client and server spans before sampling.',
      labelNames: ['client', 'server', 'connection_type'],
      registers: [],
      collect() {
        sweep();
        this.reset();
        for (const e of edges())
          if (e.requests) this.inc(labels(e), e.requests);
      },
    }),
    new Counter({
      name: SERVICE_GRAPH_METRICS.failedRequests,
      help: 'Calls per edge where the client or the server span has status ERROR.',
      labelNames: ['client', 'server', 'connection_type'],
      registers: [],
      collect() {
        sweep();
        this.reset();
        for (const e of edges()) if (e.requests) this.inc(labels(e), e.failed);
      },
    }),
    new Counter({
      name: SERVICE_GRAPH_METRICS.brokenPropagation,
      help: 'Client spans to a traced server whose server span never joined the trace (context not injected by the client or not extracted by the server).',
      labelNames: ['client', 'server'],
      registers: [],
      collect() {
        sweep();
        this.reset();
        for (const e of edges())
          if (e.broken)
            this.inc({ client: e.client, server: e.server }, e.broken);
      },
    }),
    perService(
      SERVICE_GRAPH_METRICS.orphanServerSpans,
      'Server and consumer spans whose remote parent span never arrived (the caller sends no spans).',
      'server',
      source.orphanServer,
    ),
    perService(
      SERVICE_GRAPH_METRICS.unpairedClientSpans,
      'Client spans never paired that name no peer (no peer.service, server.address or db.system).',
      'client',
      source.unpairedClient,
    ),
    new Counter({
      name: SERVICE_GRAPH_METRICS.dropped,
      help: 'Span halves or calls the service graph did not count because a bound was reached.',
      labelNames: ['reason'],
      registers: [],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(dropped))
          this.inc({ reason }, n);
      },
    }),
    new Gauge({
      name: SERVICE_GRAPH_METRICS.pending,
      help: 'Unpaired span halves waiting for their partner.',
      registers: [],
      collect() {
        this.set(source.pendingCount());
      },
    }),
  ];
  for (const m of metrics) registry.registerMetric(m);
  registry.registerMetric(histogram(source));
}

/** The server-latency histogram per edge, computed at scrape time (see SpanMetrics). */
function histogram(source: ServiceGraphMetricsSource): Metric {
  const name = SERVICE_GRAPH_METRICS.serverSeconds;
  const help =
    'Server span durations per edge (for a virtual node, the client span durations).';
  const { edges, sweep, bounds } = source;
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    reset() {},
    async get() {
      sweep();
      const values: Array<{
        labels: Record<string, string | number>;
        value: number;
        metricName: string;
      }> = [];
      for (const e of edges()) {
        if (!e.requests) continue;
        const labels = {
          client: e.client,
          server: e.server,
          connection_type: e.connectionType,
        };
        let cumulative = 0;
        bounds.forEach((le, i) => {
          cumulative += e.durationCounts[i];
          values.push({
            labels: { le, ...labels },
            value: cumulative,
            metricName: `${name}_bucket`,
          });
        });
        values.push(
          {
            labels: { le: '+Inf', ...labels },
            value: e.requests,
            metricName: `${name}_bucket`,
          },
          {
            labels,
            value: e.durationSumSeconds,
            metricName: `${name}_sum`,
          },
          { labels, value: e.requests, metricName: `${name}_count` },
        );
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  } as unknown as Metric;
}
