import { RunbookTemplate } from '../RunbookTemplate';

export const promqlThreshold: RunbookTemplate = {
  id: 'promql-threshold',
  title: 'Prometheus query check out of bounds',
  summary:
    'A PromQL query a prometheus-query check runs returned series beyond their thresholds (or no series, where that is not allowed).',
  markdown: `## Symptoms
- A prometheus-query check warns or is critical on the [health board]({{checksUrl}}); its message names each series out of bounds, e.g. \`{consumergroup="otel-ingester"} = 251200\`.
- Or "no series for <query>" where the check's \`noData\` says that is not ok.

## Diagnosis
1. Find what the query measures: the check's \`options.query\` and \`thresholds.value\` in \`tracingHealth.checks\`. If it has a dedicated runbook (Kafka consumer lag: *kafka-lag*; queues: *high-queue*; export failures: *export-failures*), follow that one.
2. Run the query in the Prometheus UI as a graph over the last hours: a step at a deploy, a slow climb or a spike?
3. Break it down: remove the \`sum by\` to see which instance, job or label carries the value.
4. "no series": is the exporter scraped (\`up{job="..."}\`)? Did a metric or label get renamed in an upgrade?

## Resolution
- Fix what the series measures (scale the consumer, free the resource, restart the failing component), then use **Run now** on the health board.
- A renamed metric or label: update the query.
- A threshold that does not match normal load: adjust \`thresholds.value\` with its owner's agreement.

## Prevention
- Give every prometheus-query check a \`runbook\` about what it measures, so its failures link there instead of here.
- Keep the query small and tested in Prometheus before it ships.
`,
};
