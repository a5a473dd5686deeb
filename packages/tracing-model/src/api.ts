import { TracingTier } from './tiers';

/** A problem with one annotation, named by its key. */
export interface AnnotationError {
  annotation: string;
  value: string;
  message: string;
}

/** What an entity's annotations say about its tracing. */
export interface TracingSettings {
  /** True only when `tracing-health/enabled` is exactly `"true"`. */
  optedIn: boolean;
  /** The OTel `service.name` the component is expected to emit. */
  serviceName: string;
  /** Whether `serviceName` came from the annotation or from `metadata.name`. */
  serviceNameSource: 'annotation' | 'metadata.name';
  tier: TracingTier;
  tierSource: 'annotation' | 'default';
  runbookUrl?: string;
  /** Per-annotation errors; a setting with an error falls back to its default. */
  errors: AnnotationError[];
}

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

/** The plugin id and the base path of its backend routes. */
export const TRACING_HEALTH_PLUGIN_ID = 'tracing-health';
