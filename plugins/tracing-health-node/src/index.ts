/**
 * Extension points of the tracing-health backend plugin for other backend modules.
 *
 * @packageDocumentation
 */
export * from './checkTypes';
export * from './providers';
export * from './extensionPoint';
