/**
 * Subjects of the external-access static tokens (`backend.auth.externalAccess`) the plugin knows.
 * Each use has its own token: the ingest token may only send spans, the read token (the Grafana
 * app) may only read. Other subjects can be added with `tracingHealth.auth.ingestSubjects` and
 * `tracingHealth.auth.readSubjects`.
 */
export const TRACING_INGEST_SUBJECT = 'tracing-ingest';

/** Subject of the read-only static token (Grafana app, deploy pipelines rendering collector config). */
export const TRACING_READ_SUBJECT = 'tracing-read';
