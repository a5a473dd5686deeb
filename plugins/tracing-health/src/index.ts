/**
 * The tracing-health frontend plugin: per-entity tracing settings, coverage, sampling and
 * runbooks. Legacy frontend system exports; the new frontend system uses `/alpha`.
 *
 * @packageDocumentation
 */
export {
  tracingHealthPlugin,
  EntityTracingHealthContent,
  EntityTracingSettingsCard,
  EntityTracingCoverageCard,
  TracingHealthPage,
  TracingHealthRunbookPage,
} from './plugin';
export { isTracingHealthAvailable } from './isTracingHealthAvailable';
export * from './api';
