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
