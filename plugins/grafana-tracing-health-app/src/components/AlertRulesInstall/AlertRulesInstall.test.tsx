import {
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { of, throwError } from 'rxjs';
import { parse } from 'yaml';

import { prometheusRuleGroups } from '../../generate/prometheusRules';
import { dataSource, installDataSources } from '../../testUtils/dataSources';
import { AlertRulesInstall, alertRulesTestIds } from './AlertRulesInstall';

const mockFetch = jest.fn();

// Only the backend service is mocked; the DataSourcePicker is the real one, over a registry
// holding two Prometheus data sources and a Loki one.
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

function grafanaAnswers() {
  mockFetch.mockImplementation(({ url, method }) => {
    if (method === 'GET') return throwError(() => ({ status: 404, data: {} }));
    if (url === '/api/folders')
      return of({
        data: { uid: 'tracing-health', title: 'Tracing Health' },
        status: 200,
      });
    return of({ data: { status: 'success' }, status: 202 });
  });
}

async function pickDataSource(name: string) {
  const picker = within(screen.getByTestId(alertRulesTestIds.datasource));
  fireEvent.keyDown(picker.getByRole('combobox'), { key: 'ArrowDown' });
  fireEvent.click(await screen.findByText(name));
}

const installButton = () =>
  screen.getByRole('button', { name: /install alert rules/i });

describe('AlertRulesInstall', () => {
  beforeEach(() => {
    mockFetch.mockReset();
    installDataSources([
      dataSource('prom-main', 'Prometheus main', 'prometheus'),
      dataSource('prom-dr', 'Prometheus DR', 'prometheus'),
      dataSource('loki', 'Loki', 'loki'),
    ]);
  });

  it('offers only Prometheus data sources and needs one before installing', async () => {
    render(<AlertRulesInstall portalUrl="https://backstage.example.com" />);

    expect(installButton()).toBeDisabled();
    const picker = within(screen.getByTestId(alertRulesTestIds.datasource));
    fireEvent.keyDown(picker.getByRole('combobox'), { key: 'ArrowDown' });
    expect(await screen.findByText('Prometheus main')).toBeInTheDocument();
    expect(screen.getByText('Prometheus DR')).toBeInTheDocument();
    expect(screen.queryByText('Loki')).not.toBeInTheDocument();
    expect(mockFetch).not.toHaveBeenCalled();
  });

  it('installs the rules on the picked data source, with runbook links to the portal', async () => {
    grafanaAnswers();
    render(<AlertRulesInstall portalUrl="https://backstage.example.com" />);

    expect(screen.getByTestId(alertRulesTestIds.runbookBaseUrl)).toHaveValue(
      'https://backstage.example.com',
    );
    await pickDataSource('Prometheus DR');
    fireEvent.click(installButton());

    expect(
      await screen.findByText('Alert rules installed'),
    ).toBeInTheDocument();
    const groups = prometheusRuleGroups({
      portalUrl: 'https://backstage.example.com',
      collectorJob: '.*otel.*collector.*|otelcol.*',
      minTracesPerSecond: 0.1,
    });
    const rules = groups.reduce((n, group) => n + group.rules.length, 0);
    expect(
      screen.getByText(
        new RegExp(
          `${rules} rules in ${groups.length} groups \\(tracing-health-pipeline, .*\\) in the folder “Tracing Health”`,
        ),
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /open the alert rules/i }),
    ).toHaveAttribute(
      'href',
      `/alerting/list?search=${encodeURIComponent(
        'namespace:"Tracing Health"',
      )}`,
    );

    const calls = mockFetch.mock.calls.map(([options]) => options);
    expect(calls.map(call => `${call.method} ${call.url}`)).toEqual([
      'GET /api/folders/tracing-health',
      'POST /api/folders',
      ...Array(groups.length).fill(
        'POST /api/convert/prometheus/config/v1/rules/Tracing%20Health',
      ),
    ]);
    for (const call of calls.slice(2)) {
      expect(call.headers['X-Grafana-Alerting-Datasource-UID']).toBe('prom-dr');
      for (const rule of parse(call.data).rules) {
        // Alerts about one service link its runbook for that service (whose links lead to the
        // entity page, where its owners can boost it).
        expect(rule.annotations.runbook_url).toMatch(
          /^https:\/\/backstage\.example\.com\/tracing-health\/runbooks\/[a-z-]+(\?service=\{\{ \$labels\.service \}\})?$/,
        );
      }
    }
  });

  it('uses an edited runbook base URL and rejects an invalid one', async () => {
    grafanaAnswers();
    render(<AlertRulesInstall />);

    const runbookInput = screen.getByTestId(alertRulesTestIds.runbookBaseUrl);
    expect(runbookInput).toHaveValue('http://127.0.0.1:3000');
    await pickDataSource('Prometheus main');
    fireEvent.change(runbookInput, { target: { value: 'portal.example.com' } });
    fireEvent.click(installButton());
    expect(
      screen.getByText(
        'Enter an absolute URL, e.g. https://backstage.example.com',
      ),
    ).toBeInTheDocument();
    expect(mockFetch).not.toHaveBeenCalled();

    fireEvent.change(runbookInput, {
      target: { value: 'https://portal.example.com/' },
    });
    fireEvent.click(installButton());
    await screen.findByText('Alert rules installed');
    const rule = parse(mockFetch.mock.calls[2][0].data).rules[0];
    expect(rule.annotations.runbook_url).toBe(
      'https://portal.example.com/tracing-health/runbooks/export-failures',
    );
  });

  it('shows why the install failed', async () => {
    mockFetch.mockReturnValue(
      throwError(() => ({ status: 403, data: { message: 'Access denied' } })),
    );
    render(<AlertRulesInstall portalUrl="https://backstage.example.com" />);

    await pickDataSource('Prometheus main');
    fireEvent.click(installButton());

    expect(
      await screen.findByText('Could not install the alert rules'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Looking up the folder: HTTP 403 Access denied\. You need permission/,
      ),
    ).toBeInTheDocument();
    await waitFor(() => expect(installButton()).toBeEnabled());
  });
});
