import { RunbookTemplate } from '../RunbookTemplate';

export const missingSpans: RunbookTemplate = {
  id: 'missing-spans',
  title: 'Missing spans or broken context propagation',
  summary:
    'Traces of {{service}} are split or have orphan spans, so requests cannot be followed across services.',
  markdown: `## Symptoms
- Low trace completeness: spans whose parent never arrives; the same request appears as several traces.
- The service map lacks edges that exist in reality.

## Diagnosis
1. Which hop breaks? Find an orphan span of {{service}} and look at the caller: does its outgoing request carry a \`traceparent\` header?
2. Propagators must match across services: W3C \`tracecontext\` (default) vs B3 vs Jaeger headers (\`OTEL_PROPAGATORS\`).
3. Async boundaries (queues, thread pools, callbacks) need explicit context passing; messaging needs the context in message headers.
4. Proxies, API gateways and service meshes may strip or rewrite headers.
5. A caller sampled out with a parent-based sampler while the callee samples in creates orphans: check sampling consistency.

## Resolution
- Install auto-instrumentation for the HTTP/gRPC/messaging clients in use; set the same \`OTEL_PROPAGATORS\` everywhere.
- Pass context across async boundaries (\`context.with\`, \`context.bind\`), inject/extract on message headers.
- Configure the proxy or mesh to forward \`traceparent\`/\`tracestate\` (and \`b3\` if used).

## Prevention
- Contract tests that assert a trace spans two services; keep SDK versions current.
- Owner of {{service}}: {{owner}} ({{entityUrl}}).
`,
};
