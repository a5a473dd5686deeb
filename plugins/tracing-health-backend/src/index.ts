/**
 * The tracing-health backend plugin.
 *
 * @packageDocumentation
 */
export { tracingHealthPlugin as default } from './plugin';
