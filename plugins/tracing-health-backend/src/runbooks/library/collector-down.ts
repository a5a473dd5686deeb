import { RunbookTemplate } from '../RunbookTemplate';

export const collectorDown: RunbookTemplate = {
  id: 'collector-down',
  title: 'Collector or tracing backend down',
  summary:
    "A component on the trace path (an OpenTelemetry Collector, a Jaeger collector, the embedded pipeline's export target) does not answer its health check.",
  markdown: `## Symptoms
- The health check is **critical**: the health endpoint answered 503 ("Server not available"), refused the connection or did not answer within its timeout.
- Services report export errors in their own logs (\`OTLP exporter ... ECONNREFUSED\`, \`context deadline exceeded\`).
- Trace volume for {{service}} and other services drops on the [health board]({{checksUrl}}).

## Diagnosis
1. Read the check's message: \`503\` means the process runs but reports unhealthy; \`ECONNREFUSED\` means nothing listens; a timeout means it hangs or the network drops packets.
2. Look at the process: \`kubectl get pods -l app.kubernetes.io/name=opentelemetry-collector\` (or \`systemctl status otelcol\`), restarts and \`OOMKilled\` in \`kubectl describe pod\`.
3. Read its logs from the last start: \`kubectl logs <pod> --previous\` shows why the last instance died (config error, out of memory, failed exporter).
4. Check the config renders: \`otelcol validate --config=<file>\`; a bad pipeline keeps the Collector from starting.
5. From the portal host, \`curl -sv <health URL>\` to separate network policy or DNS problems from process problems.

## Resolution
- Crash loop after a config change: roll back to the last good config, then fix and validate it.
- \`OOMKilled\`: follow the *memory-pressure* runbook (raise the limit, add \`memory_limiter\`, scale out).
- Hanging process: restart it, and capture a goroutine dump first (\`curl <pprof>/debug/pprof/goroutine?debug=2\`) if the \`pprof\` extension is on.
- Network: fix the Service/NetworkPolicy/firewall rule between the senders and the Collector.
- While it is down, SDKs buffer and then drop spans: expect a gap in traces, not a backlog.

## Prevention
- Run at least two Collector replicas behind a Service; use a PodDisruptionBudget.
- Validate config in CI before it ships; keep \`health_check\` and \`memory_limiter\` enabled.
- Alert on this check, not on user reports; owner of the pipeline: {{owner}}.
`,
};
