import { RunbookTemplate } from '../RunbookTemplate';

export const endpointSlow: RunbookTemplate = {
  id: 'endpoint-slow',
  title: 'Checked endpoint answers slowly',
  summary:
    'A URL an http check watches answers, but takes longer than the latency threshold to send its whole body.',
  markdown: `## Symptoms
- The http check warns on \`latencyMs\` above its threshold (default warning 1000 ms) on the [health board]({{checksUrl}}).
- Users of the endpoint see slow pages or client timeouts; for the built-in *Portal backend* check, the portal's pages and OTLP ingest (\`{{ingestUrl}}\`) slow down together.

## Diagnosis
1. Is it one slow answer or a trend? The check's history on the health board shows whether latency rose at a deploy, with traffic or steadily.
2. From the portal host, \`curl -s -o /dev/null -w '%{time_connect} %{time_starttransfer} %{time_total}\\n' <target>\`: a slow connect points at the network or DNS, a slow first byte at the service, a slow total at a large body.
3. For the portal backend: CPU and event-loop delay of the backend process (\`{{metricsUrl}}\`: \`tracing_health_nodejs_eventloop_lag_seconds\`), memory and garbage collection, database latency; is the embedded pipeline saturated (the *Embedded pipeline* check)?
4. Look at the service's own traces for the health route: which span takes the time?

## Resolution
- Saturated process: scale out or give it more CPU; for the portal, lower \`tracingHealth.pipeline.workers\` only if the pipeline starves the pages.
- Slow dependency (database, downstream API): fix or scale it; make the health route check it with a short timeout.
- Threshold too tight for an endpoint that is slow by design: raise \`thresholds.latencyMs\` on that check.

## Prevention
- Keep health routes cheap: no heavy queries, bounded time per dependency.
- Watch the trend, not single runs: alert on sustained latency, not one slow probe.
`,
};
