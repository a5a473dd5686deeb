import { RunbookTemplate } from '../RunbookTemplate';

export const traceDataLoss: RunbookTemplate = {
  id: 'trace-data-loss',
  title: 'Trace data loss',
  summary:
    "Spans are dropped in the pipeline or elsewhere between the services and the backend, or a service's trace volume fell below its floor.",
  markdown: `## Symptoms
- Dropped-span ratio above 1% in the pipeline, or {{service}}'s traces per second fell below the configured floor.
- Traces with missing spans or gaps; counts in the backend lower than requests served.

## Diagnosis
1. Where are spans lost? Compare received, refused, dropped and exported counters on [/metrics]({{metricsUrl}}):
   refused → *memory-pressure*; dropped at a full queue → *high-queue*; failed exports → *export-failures*.
2. Was sampling changed for {{service}}? A lower rate reduces volume by design; check the sampling history.
3. Did {{service}} deploy? A new SDK version, a changed \`OTEL_SERVICE_NAME\` or a removed exporter drops its volume.
4. Did traffic itself drop (night, incident upstream)? Compare with request metrics.

## Resolution
- Fix the stage that drops (see the linked runbooks).
- Restore the service's exporter configuration or \`service.name\`; tell {{owner}}.
- Adjust the floor if the lower volume is expected.

## Prevention
- Watch the drop ratio and per-service volume with these checks; review sampling changes.
`,
};
