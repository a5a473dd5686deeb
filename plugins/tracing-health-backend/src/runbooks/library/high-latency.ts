import { RunbookTemplate } from '../RunbookTemplate';

export const highLatency: RunbookTemplate = {
  id: 'high-latency',
  title: 'High latency investigation',
  summary: 'How to use traces to find why {{service}} is slow.',
  markdown: `## Symptoms
- Request latency (p95/p99) of {{service}} above its objective; users report slowness.

## Diagnosis
1. Pick slow traces: search {{service}} with a minimum duration around the p99.
2. In the trace, find the span that takes most of the time: own work (CPU, locks), a downstream call, or a database query.
3. Compare with a fast trace of the same operation: extra calls (N+1 queries), retries, or waiting before a span starts (queueing, pool exhaustion).
4. Correlate with deploys, traffic and dependency health at the time.

## Resolution
- Slow dependency: escalate to its owner with trace links; add timeouts and caching.
- N+1 or retries: fix the code path; cap retries with backoff.
- Resource saturation: scale or raise limits; fix connection pool sizes.

## Prevention
- Keep critical services at 100% sampling of errors and slow requests (tail sampling).
- Latency SLOs with alerts; owner {{owner}}.
`,
};
