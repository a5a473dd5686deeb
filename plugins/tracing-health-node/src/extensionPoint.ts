import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { CheckType } from './checkTypes';

/** Lets backend modules add health-check types to the tracing-health plugin. */
export interface TracingHealthChecksExtensionPoint {
  /** Adds a type usable as `tracingHealth.checks[].type`; type names must be unique. */
  addCheckType(type: CheckType<any>): void;
}

export const tracingHealthChecksExtensionPoint =
  createExtensionPoint<TracingHealthChecksExtensionPoint>({
    id: 'tracing-health.checks',
  });
