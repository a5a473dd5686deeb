import { RunbookTemplate } from '../RunbookTemplate';

export const exportFailures: RunbookTemplate = {
  id: 'export-failures',
  title: 'Export failures',
  summary:
    'Spans fail to leave the pipeline or the Collector for the tracing backend.',
  markdown: `## Symptoms
- \`otelcol_exporter_send_failed_spans\` (or \`..._total\`) increases, or the embedded pipeline reports recent export failures.
- Traces are missing or incomplete in the backend while services keep sending.
- Collector logs: \`Exporting failed. Will retry the request after interval\`, \`Dropping data because sending_queue is full\`.

## Diagnosis
1. Find which exporter fails: the \`exporter\` label of \`otelcol_exporter_send_failed_spans\` on [/metrics]({{metricsUrl}}) or the check message.
2. Read the error in the logs: \`401/403\` (credentials), \`413\` (batch too large), \`429/503\` (backend overloaded), DNS or TLS errors (see *certificate-expiry*).
3. Check the backend (Tempo, Jaeger, Elasticsearch) health checks on the [health board]({{checksUrl}}); an unhealthy backend causes most export failures.
4. Compare the failure rate with the queue: failures plus a full queue means data is being dropped (*trace-data-loss*).

## Resolution
- Credentials: rotate the token or certificate the exporter uses and reload.
- \`413\`: lower \`send_batch_max_size\` in the batch processor.
- Overloaded backend: scale it, or reduce volume with sampling (see the sampling controls for {{service}}).
- Enable \`retry_on_failure\` and \`sending_queue\` on the exporter so short outages do not lose data.

## Prevention
- Alert on a sustained failure ratio, not single failures.
- Size the sending queue for the longest backend outage you want to ride out.
- Test credential rotation before the old credential expires.
`,
};
