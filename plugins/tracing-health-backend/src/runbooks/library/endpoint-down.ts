import { RunbookTemplate } from '../RunbookTemplate';

export const endpointDown: RunbookTemplate = {
  id: 'endpoint-down',
  title: 'Checked endpoint down or unhealthy',
  summary:
    "A URL an http check watches (such as the portal backend's own /api/tracing-health/health) answered an unexpected status, without the expected text, or not at all.",
  markdown: `## Symptoms
- The http check is **critical** on the [health board]({{checksUrl}}) with a message such as "answered 503, expected 2xx or 3xx", "answered 200 without "ready" in the body", \`ECONNREFUSED\` or a timeout.
- For the built-in *Portal backend* check: the portal backend itself does not answer its health route, so ingest (\`{{ingestUrl}}\`), sampling and these pages are affected too.

## Diagnosis
1. Read the check's message: a status means something answered (a proxy, the wrong service or the service reporting itself unhealthy); \`ECONNREFUSED\` means nothing listens; a timeout means it hangs or packets are dropped; \`ENOTFOUND\` is DNS.
2. From the portal host, \`curl -sv <target>\`: compare the status, headers and body with the check's \`expectedStatus\` and \`bodyContains\` options.
3. A 401/403 means the endpoint wants credentials: set them in the check's \`headers\` (they never reach results or logs).
4. For the portal backend: read the backend's logs around the first failure (start-up errors, database connection errors, out of memory), and its process state (\`kubectl get pods\`, restarts, \`OOMKilled\`).
5. Behind a load balancer or ingress: does the failure come from the proxy (its own error page, \`502\`/\`504\`) rather than from the service?

## Resolution
- Process down or crash-looping: restart it; roll back the last deploy or config change if it started then.
- Database or dependency down: fix that first; the health route reports it.
- Wrong expectation (the endpoint changed its status or body on purpose): update the check's \`expectedStatus\`/\`bodyContains\` in \`tracingHealth.checks\`.
- Network, DNS or TLS: fix the route, record or certificate between the portal and the endpoint.
- Then use **Run now** on the health board to confirm.

## Prevention
- Point http checks at a health route that reports the service's real dependencies, not at a static page.
- Run more than one replica behind the load balancer, with readiness probes on the same route.
- Owner of the checked service: {{owner}}.
`,
};
