import { RunbookTemplate } from '../RunbookTemplate';

export const noTraces: RunbookTemplate = {
  id: 'no-traces',
  title: 'No traces appearing',
  summary: '{{service}} opted into tracing but no traces have arrived.',
  markdown: `## Symptoms
- The service-volume check warns that {{service}} opted in but sent nothing; the Tracing tab shows no traffic.

## Diagnosis
1. Is the SDK installed and started before the app's own code (\`--require\`/\`--import\` for Node, the agent for Java)?
2. Is the exporter pointed at the portal? \`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT={{ingestUrl}}\` with \`Authorization: Bearer <token>\`.
3. Does \`OTEL_SERVICE_NAME\` equal the catalog's service name \`{{service}}\`? Spans under another name count for another service.
4. Is it sampled out? \`OTEL_TRACES_SAMPLER=always_off\` or a 0 rate.
5. Look at the SDK's own logs (\`OTEL_LOG_LEVEL=debug\`) for export errors: 401 (token), 413, connection refused.

## Resolution
- Fix the endpoint, token, or service name; redeploy; traces appear within the next minute.
- Use the opt-in snippet on the entity's Tracing tab for the right annotations.

## Prevention
- Add tracing to the service template so new services emit from day one.
`,
};
