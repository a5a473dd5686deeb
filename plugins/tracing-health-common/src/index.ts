/**
 * Shared names and models of the tracing-health plugins: annotation keys and their parser,
 * API types, metric names and permissions, so backend, pages, dashboards and alerts agree.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './parseTracingSettings';
export * from './api';
export * from './metrics';
export * from './sampling';
export * from './samplingControl';
export * from './runbooks';
export * from './coverage';
export * from './dependencies';
export * from './cluster';
export * from './checks';
export * from './permissions';
export * from './safeRegex';
export * from './access';
export * from './samplingInsights';
