/** What the config page stores in the plugin's `jsonData`. */
export interface AppPluginSettings {
  /** Base URL of the Tracing Health portal (Backstage), without a trailing slash. */
  portalUrl?: string;
}

/** Keys the config page stores in `secureJsonData` (write-only from the browser). */
export interface AppPluginSecureSettings {
  /** Backstage external-access token sent by the `portal` proxy route. */
  portalToken?: string;
}

/*
 * The portal's response types. They mirror `TracedServiceInfo` / `ServicesResponse` in
 * `@internal/plugin-tracing-health-common` (`GET /api/tracing-health/services`); they are
 * copied rather than imported so this package builds on its own.
 */

export type TracingTier = 'critical' | 'standard' | 'high-volume';

/** A problem with one catalog annotation. */
export interface AnnotationError {
  annotation: string;
  value: string;
  message: string;
}

export interface TracingSettings {
  optedIn: boolean;
  serviceName: string;
  serviceNameSource?: 'annotation' | 'metadata.name';
  tier: TracingTier | string;
  tierSource?: 'annotation' | 'default';
  runbookUrl?: string;
  errors: AnnotationError[];
}

export interface TracedServiceInfo {
  entityRef: string;
  name: string;
  namespace?: string;
  title?: string;
  owner?: string;
  system?: string;
  settings: TracingSettings;
}

export interface ServicesResponse {
  items: TracedServiceInfo[];
}
