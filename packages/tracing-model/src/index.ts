/**
 * The vocabulary of the tracing engine, free of any framework: the sampling policy model and its
 * patches, tier seeds, metric names, runbook ids and the portal's API types. The pipeline, the
 * backend, the pages and the Grafana app all import these names from here (the Backstage plugins
 * through `@internal/plugin-tracing-health-common`, which re-exports them).
 *
 * @packageDocumentation
 */
export * from './tiers';
export * from './api';
export * from './metrics';
export * from './sampling';
export * from './samplingControl';
export * from './samplingInsights';
export * from './runbooks';
export * from './coverage';
export * from './dependencies';
export * from './cluster';
export * from './checks';
export * from './safeRegex';
