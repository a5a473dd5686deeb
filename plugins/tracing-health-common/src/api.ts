import { AnnotationError, TracingSettings } from './parseTracingSettings';

/** One catalog component as `GET /api/tracing-health/services` reports it. */
export interface TracedServiceInfo {
  entityRef: string;
  name: string;
  namespace: string;
  title?: string;
  owner?: string;
  system?: string;
  settings: TracingSettings;
  /**
   * Set when other components claim the same `service.name`: every component that claims it
   * (this one included), sorted. Its sampling policy cannot be changed until only one does.
   */
  conflictingEntities?: string[];
}

export interface ServicesResponse {
  items: TracedServiceInfo[];
}

export type { AnnotationError, TracingSettings };

/** The plugin id and the base path of its backend routes. */
export const TRACING_HEALTH_PLUGIN_ID = 'tracing-health';
