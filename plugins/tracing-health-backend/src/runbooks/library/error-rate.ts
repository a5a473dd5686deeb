import { RunbookTemplate } from '../RunbookTemplate';

export const errorRate: RunbookTemplate = {
  id: 'error-rate',
  title: 'Error rate investigation',
  summary: 'How to use traces to find why {{service}} returns errors.',
  markdown: `## Symptoms
- Error ratio of {{service}} above its normal level; spans with status \`ERROR\`.

## Diagnosis
1. Search error traces of {{service}} (\`error=true\` / status ERROR) in the incident window.
2. Find the first span with an error in each trace: is {{service}} the origin, or does it pass on a downstream error?
3. Group by operation and error type (exception events, \`http.response.status_code\`); a single operation points at a code path, all operations at a dependency or infrastructure.
4. Check recent deploys and config changes of {{service}} and its dependencies.

## Resolution
- Roll back a bad deploy; fix the failing dependency or open an incident with its owner with trace links.
- Add retries with backoff only for idempotent operations.

## Prevention
- Tail-sample all error traces so investigations always have data.
- Error-rate SLO alerts with this runbook linked.
`,
};
