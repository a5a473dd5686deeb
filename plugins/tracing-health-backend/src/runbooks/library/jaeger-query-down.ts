import { RunbookTemplate } from '../RunbookTemplate';

export const jaegerQueryDown: RunbookTemplate = {
  id: 'jaeger-query-down',
  title: 'Jaeger query service down',
  summary:
    "Jaeger's query service does not list services (`/api/services` failed, refused or timed out), so nobody can search traces even if they are still stored.",
  markdown: `## Symptoms
- The jaeger check is **critical** on \`query\`: "/api/services answered 500 ...", \`ECONNREFUSED\` or a timeout.
- The Jaeger UI shows no services or an error; links from the portal to traces of {{service}} fail.
- Spans may still be written (the collector health may be ok): this is an outage of search, not necessarily of ingest.

## Diagnosis
1. Read the message: a 5xx with a storage error (\`elastic: Error 503\`, \`no such index\`, Cassandra timeouts) means the storage behind the query service fails; \`ECONNREFUSED\` means the query service is not running.
2. \`kubectl get pods -l app.kubernetes.io/component=query\` (or \`systemctl status jaeger-query\`): restarts, \`OOMKilled\`, crash loops; \`kubectl logs <pod> --previous\` for why it stopped.
3. Storage: the Elasticsearch/OpenSearch check on the [health board]({{checksUrl}}); red cluster or read-only indices break queries.
4. \`curl -sv <query URL>/api/services\` from the portal host to separate network or ingress problems from the service.
5. A "services" list that is empty but answers 200 means no span data in the look-back window: see the *trace-data-loss* runbook instead.

## Resolution
- Query service crashed: restart it; roll back a config or version change that started the failures.
- Storage errors: fix the storage first (*elasticsearch-cluster-red*, *elasticsearch-disk-full*), then restart the query service if it does not recover on its own.
- Network or ingress: fix the route between the portal (and users) and the query service.

## Prevention
- Run two or more query replicas behind a Service; give them readiness probes on the admin port.
- Keep storage healthy and alert on its checks; the query service is only as available as its storage.
`,
};
