import pluginJson from './plugin.json';

/** The plugin id, read from plugin.json so there is a single source of truth. */
export const PLUGIN_ID: string = pluginJson.id;

/** Base URL of the app inside Grafana, e.g. `/a/tracinghealth-portal-app`. */
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Where Grafana serves this app's settings (the config page). */
export const PLUGIN_SETTINGS_API = `/api/plugins/${PLUGIN_ID}/settings`;

/**
 * Base URL of the `portal` proxy route declared in plugin.json. Grafana forwards
 * `${PORTAL_PROXY_BASE}/<path>` to `<jsonData.portalUrl>/api/tracing-health/<path>`
 * and adds `Authorization: Bearer <secureJsonData.portalToken>` server-side, so the
 * token never reaches the browser.
 */
export const PORTAL_PROXY_BASE = `/api/plugin-proxy/${PLUGIN_ID}/portal`;

/** Relative paths of the app's pages (see `includes` in plugin.json). */
export const ROUTES = {
  Overview: 'overview',
} as const;
