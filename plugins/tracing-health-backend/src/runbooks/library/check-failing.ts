import { RunbookTemplate } from '../RunbookTemplate';

export const checkFailing: RunbookTemplate = {
  id: 'check-failing',
  title: 'Health check cannot run',
  summary:
    'The check itself failed (its data source did not answer, or returned something unreadable), so the status is unknown.',
  markdown: `## Symptoms
- The check's status is **unknown** with a message such as "query failed", "metrics endpoint unreadable", "not connected" or "could not start within its interval".

## Diagnosis
1. Read the message: it names the URL and the error.
2. Is the data source up (Prometheus, the Collector's metrics port, the TLS endpoint)? Open it from the portal host.
3. A PromQL error means the query is wrong: run it in the Prometheus UI.
4. "could not start within its interval": more checks are due at once than \`tracingHealth.checkScheduler.concurrency\` allows, or some take close to their timeout.
5. "not connected": the embedded pipeline or the trace volume source is not running in this backend.

## Resolution
- Fix the data source or the check's config (\`tracingHealth.checks\`), then use **Run now** on the [health board]({{checksUrl}}).
- Raise the concurrency, or lower timeouts of checks that hang.

## Prevention
- Review unknown checks weekly: a check that cannot run hides the problem it was made for.
`,
};
