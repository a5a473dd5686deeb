import { of, throwError } from 'rxjs';
import { parse } from 'yaml';

import { prometheusRuleGroups } from '../generate/prometheusRules';
import {
  ALERT_RULES_FOLDER,
  InstallAlertRulesError,
  conversionRequestBody,
  installAlertRules,
} from './installAlertRules';

const mockFetch = jest.fn();

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const notFound = () =>
  throwError(() => ({ status: 404, data: { message: 'folder not found' } }));
const ok = (data: unknown) => of({ data, status: 200 });

/** Answers like Grafana: the folder is missing (404), creating it returns it, imports return 202. */
function grafanaWithoutFolder() {
  mockFetch.mockImplementation(({ url, method }) => {
    if (method === 'GET' && url === '/api/folders/tracing-health')
      return notFound();
    if (method === 'POST' && url === '/api/folders') {
      return ok({ uid: 'tracing-health', title: 'Tracing Health', id: 7 });
    }
    if (
      method === 'POST' &&
      url.startsWith('/api/convert/prometheus/config/v1/rules/')
    ) {
      return of({ data: { status: 'success' }, status: 202 });
    }
    return throwError(() => ({
      status: 500,
      data: { message: `unexpected ${method} ${url}` },
    }));
  });
}

describe('installAlertRules', () => {
  beforeEach(() => mockFetch.mockReset());

  it('creates the folder, then posts each rule group to the conversion API with the data source header', async () => {
    grafanaWithoutFolder();

    const result = await installAlertRules({
      datasourceUid: 'prom-uid',
      portalUrl: 'https://backstage.example.com',
    });

    const calls = mockFetch.mock.calls.map(([options]) => options);
    expect(calls[0]).toMatchObject({
      url: '/api/folders/tracing-health',
      method: 'GET',
    });
    expect(calls[1]).toMatchObject({
      url: '/api/folders',
      method: 'POST',
      data: { uid: 'tracing-health', title: 'Tracing Health' },
    });
    const groups = prometheusRuleGroups({
      portalUrl: 'https://backstage.example.com',
      collectorJob: '.*otel.*collector.*|otelcol.*',
      minTracesPerSecond: 0.1,
    });
    const imports = calls.slice(2);
    expect(imports).toHaveLength(groups.length);
    imports.forEach((call, index) => {
      expect(call).toMatchObject({
        url: '/api/convert/prometheus/config/v1/rules/Tracing%20Health',
        method: 'POST',
        headers: {
          'Content-Type': 'application/yaml',
          'X-Grafana-Alerting-Datasource-UID': 'prom-uid',
        },
        showErrorAlert: false,
      });
      // The body is one Prometheus rule group in YAML, as the API (and mimirtool) send it.
      const body = parse(call.data);
      expect(body.name).toBe(groups[index].name);
      expect(body.interval).toBe('1m');
      expect(body.rules.map((rule: any) => rule.expr)).toEqual(
        groups[index].rules.map(rule => rule.expr),
      );
    });
    expect(result).toEqual({
      folder: { uid: 'tracing-health', title: 'Tracing Health', id: 7 },
      groups: groups.map(group => group.name),
      rules: groups.reduce((n, group) => n + group.rules.length, 0),
    });
  });

  it('reuses an existing folder under its current title', async () => {
    mockFetch.mockImplementation(({ url, method }) =>
      method === 'GET' && url === '/api/folders/tracing-health'
        ? ok({ uid: 'tracing-health', title: 'Tracing (SRE)' })
        : of({ data: { status: 'success' }, status: 202 }),
    );

    await installAlertRules({ datasourceUid: 'p', portalUrl: 'http://portal' });

    const urls = mockFetch.mock.calls.map(
      ([options]) => `${options.method} ${options.url}`,
    );
    expect(urls).not.toContain('POST /api/folders');
    expect(
      urls
        .slice(1)
        .every(
          url =>
            url ===
            'POST /api/convert/prometheus/config/v1/rules/Tracing%20(SRE)',
        ),
    ).toBe(true);
  });

  it('links each rule to the portal runbook and fixes its Grafana uid', async () => {
    grafanaWithoutFolder();

    await installAlertRules({
      datasourceUid: 'p',
      portalUrl: 'https://portal.example.com',
    });

    const rules = mockFetch.mock.calls
      .slice(2)
      .flatMap(([options]) => parse(options.data).rules);
    const queueHigh = rules.find(
      (rule: any) => rule.alert === 'TracingHealthQueueHigh',
    );
    expect(queueHigh.annotations.runbook_url).toBe(
      'https://portal.example.com/tracing-health/runbooks/high-queue',
    );
    expect(queueHigh.labels).toEqual({
      severity: 'warning',
      __grafana_alert_rule_uid__: 'tracing-health-queue-high',
    });
    const uids = rules.map(
      (rule: any) => rule.labels.__grafana_alert_rule_uid__,
    );
    expect(new Set(uids).size).toBe(rules.length);
    // Grafana rule uids are at most 40 characters.
    expect(uids.every((uid: string) => /^[a-z0-9-]{1,40}$/.test(uid))).toBe(
      true,
    );
  });

  it('reports which step failed, with a hint', async () => {
    mockFetch.mockImplementation(({ url, method }) => {
      if (method === 'GET') return notFound();
      if (url === '/api/folders') return ok(ALERT_RULES_FOLDER);
      return throwError(() => ({
        status: 404,
        statusText: 'Not Found',
        data: {},
      }));
    });

    const failure = installAlertRules({
      datasourceUid: 'p',
      portalUrl: 'http://portal',
    });

    await expect(failure).rejects.toBeInstanceOf(InstallAlertRulesError);
    await expect(failure).rejects.toThrow(
      'Importing rule group tracing-health-pipeline: HTTP 404 Not Found. This Grafana has no Prometheus rule conversion API (Grafana 12 or later).',
    );
    // It stops at the first failing group.
    expect(mockFetch).toHaveBeenCalledTimes(3);
  });

  it('reports a refused folder creation', async () => {
    mockFetch.mockImplementation(({ method }) =>
      method === 'GET'
        ? notFound()
        : throwError(() => ({
            status: 403,
            data: { message: 'Access denied' },
          })),
    );

    await expect(
      installAlertRules({ datasourceUid: 'p', portalUrl: 'http://portal' }),
    ).rejects.toThrow(
      'Creating the folder "Tracing Health": HTTP 403 Access denied. You need permission to create folders and alert rules.',
    );
  });
});

it('refuses a folder answer without uid and title', async () => {
  mockFetch.mockReset();
  mockFetch.mockReturnValue(ok('<html>login</html>'));

  await expect(
    installAlertRules({ datasourceUid: 'p', portalUrl: 'http://portal' }),
  ).rejects.toThrow(
    'Looking up the folder: Grafana answered without a folder uid and title.',
  );
  expect(mockFetch).toHaveBeenCalledTimes(1);
});

describe('conversionRequestBody', () => {
  it('is the Prometheus group in YAML with the uid label added to every rule', () => {
    const [group] = prometheusRuleGroups();
    const body = parse(conversionRequestBody(group));
    expect(body.rules).toEqual(
      group.rules.map(rule => ({
        ...rule,
        labels: {
          ...rule.labels,
          __grafana_alert_rule_uid__: expect.any(String),
        },
      })),
    );
  });
});
