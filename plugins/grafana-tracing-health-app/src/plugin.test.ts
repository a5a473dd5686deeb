import pluginJson from './plugin.json';
import { PLUGIN_ID, PORTAL_PROXY_BASE } from './constants';

// src/plugin.json is the contract with Grafana; these pin the parts the code relies on.
describe('plugin.json', () => {
  it('is an app with an id Grafana accepts', () => {
    expect(pluginJson.type).toBe('app');
    expect(pluginJson.id).toMatch(
      /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/,
    );
    expect(PLUGIN_ID).toBe(pluginJson.id);
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=12.4.0');
  });

  it('has the Overview page as the default page', () => {
    const overview = pluginJson.includes.find(
      include => include.name === 'Overview',
    );
    expect(overview).toMatchObject({
      type: 'page',
      path: `/a/${pluginJson.id}/overview`,
      addToNav: true,
      defaultNav: true,
    });
  });

  it('declares the portal proxy route that adds the token server-side', () => {
    // Grafana matches route paths as a tree: "portal" alone would only match
    // /api/plugin-proxy/<id>/portal itself; "portal/*" forwards every sub-path.
    expect(pluginJson.routes).toEqual([
      {
        path: 'portal/*',
        method: 'GET',
        // Org members only (not users with no basic role); the token it adds can only read.
        reqRole: 'Viewer',
        url: '{{ .JsonData.portalUrl }}/api/tracing-health',
        headers: [
          {
            name: 'Authorization',
            content: 'Bearer {{ .SecureJsonData.portalToken }}',
          },
        ],
      },
    ]);
    expect(PORTAL_PROXY_BASE).toBe(`/api/plugin-proxy/${pluginJson.id}/portal`);
  });

  it('declares a reqRole on every proxy route; only Editors and Admins may send anything but GET', () => {
    for (const route of pluginJson.routes) {
      expect(['Viewer', 'Editor', 'Admin']).toContain(route.reqRole);
      if (route.method !== 'GET') {
        expect(['Editor', 'Admin']).toContain(route.reqRole);
      }
    }
  });
});
