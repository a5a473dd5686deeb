import { RunbookTemplate } from '../RunbookTemplate';

export const serviceSilent: RunbookTemplate = {
  id: 'service-silent',
  title: 'Service stopped sending traces',
  summary:
    '{{service}} sent traces before but nothing arrived within the silence window.',
  markdown: `## Symptoms
- The service-volume check is critical for {{service}}: its last trace is older than the window.
- The Tracing tab shows the service as silent.

## Diagnosis
1. Is the service running and serving traffic? A scaled-to-zero or idle service sends no traces.
2. Did it deploy recently? A changed SDK setup, \`OTEL_SERVICE_NAME\` or exporter endpoint silences it.
3. Is the ingest path healthy? Check the pipeline and collector checks on the [health board]({{checksUrl}}); if every service went silent, it is the pipeline (*collector-down*).
4. Token rotated? The exporter gets 401 and logs it.

## Resolution
- Restore the exporter configuration (endpoint {{ingestUrl}}, token, service name) and redeploy.
- If the service is idle by design, raise \`silentAfterMinutes\` for this check.
- Contact {{owner}} ({{entityUrl}}).

## Prevention
- Deploy checks that assert the service emits a span at start-up.
`,
};
