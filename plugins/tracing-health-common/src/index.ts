/**
 * The Backstage-facing shared code of the tracing-health plugins: catalog annotation keys and
 * their parser, permissions and token subjects. The engine's vocabulary (API types, metric
 * names, the sampling model) lives in `@internal/tracing-model` and is re-exported here, so
 * backend, pages, dashboards and alerts agree.
 *
 * @packageDocumentation
 */
export * from '@internal/tracing-model';
export * from './annotations';
export * from './parseTracingSettings';
export * from './permissions';
export * from './access';
