import { SERVICE_GRAPH_METRICS } from '@internal/plugin-tracing-health-common';
import { RunbookTemplate } from '../RunbookTemplate';

export const brokenPropagation: RunbookTemplate = {
  id: 'broken-propagation',
  title: 'Broken trace propagation between two services',
  summary:
    'Calls between {{service}} and a traced service do not join one trace: the client does not inject the trace context or the server does not extract it.',
  markdown: `## Symptoms
- The Dependencies card of {{service}} shows an edge with propagation **broken**; the fleet page lists it among the worst edges.
- \`${SERVICE_GRAPH_METRICS.brokenPropagation}\` grows for the edge (client → server): client spans whose server span never arrived, although the server sends spans.
- Traces stop at the client's span; the server's work shows as separate traces that start at the server (root server spans).

## Diagnosis
The card names the **likely side**:
- **server** (the client's context reaches other servers): the server does not extract \`traceparent\`. Check that its HTTP/RPC server instrumentation is installed and loaded before the framework, that the propagators (\`OTEL_PROPAGATORS\`, default \`tracecontext,baggage\`) match the client's, and that a proxy, gateway or queue between them does not strip the headers.
- **client** (the server joins other callers' traces): this client does not inject the context on this call path. Look for an HTTP client the SDK does not instrument, requests built outside the active context (context lost across callbacks, thread pools or queues), or a custom propagator list without \`tracecontext\`.
- **unknown**: check both sides as above.

1. Compare one request on both sides: the client span's trace id against the \`traceparent\` header the server received (log it temporarily).
2. Check the propagators configured on both sides (W3C tracecontext vs B3 vs Jaeger headers).
3. Orphan server spans on the server (\`${SERVICE_GRAPH_METRICS.orphanServerSpans}\`) mean the opposite: the server extracts a context whose client span never arrives (the caller is not exporting its spans).

## Resolution
- Install or fix the instrumentation on the side named; align propagators across the fleet.
- For gateways and queues, forward \`traceparent\`/\`tracestate\` (or carry them in message headers).

## Prevention
- One propagator setting for the fleet in the SDK defaults; an alert on the broken-propagation counter per edge; a contract test that a call between the two services yields one trace.
`,
};
