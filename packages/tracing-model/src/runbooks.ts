/**
 * Ids of the runbooks the backend serves (`GET /api/tracing-health/runbooks/:id`). Every check
 * type and every alert rule names one of these, so a failure always links to what to do.
 */
export const RUNBOOK_IDS = [
  'collector-down',
  'export-failures',
  'high-queue',
  'memory-pressure',
  'elasticsearch-disk-full',
  'elasticsearch-cluster-red',
  'high-query-latency',
  'kafka-lag',
  'trace-data-loss',
  'missing-spans',
  'no-traces',
  'high-latency',
  'error-rate',
  'certificate-expiry',
  'service-silent',
  'low-completeness',
  'check-failing',
  'endpoint-down',
  'endpoint-slow',
  'jaeger-query-down',
  'search-cluster-unreachable',
  'promql-threshold',
  'broken-propagation',
  'owner-over-budget',
] as const;
export type RunbookId = (typeof RUNBOOK_IDS)[number];

/** The portal page of a runbook, relative to the app's base URL. */
export function runbookPath(id: RunbookId, serviceName?: string): string {
  const query = serviceName
    ? `?service=${encodeURIComponent(serviceName)}`
    : '';
  return `/tracing-health/runbooks/${id}${query}`;
}
