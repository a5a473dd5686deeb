import { fireEvent, render, screen, within } from '@testing-library/react';
import { NEVER, Observable, of, throwError } from 'rxjs';

import type {
  ChecksResponse,
  FleetCoverageResponse,
  ServicesResponse,
} from '@internal/tracing-model';

import Overview from './Overview';

const mockFetch = jest.fn();

// Only the backend service is mocked; PluginPage etc. are the real @grafana/runtime.
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const PROXY = '/api/plugin-proxy/tracinghealth-portal-app/portal';
const SERVICES_URL = `${PROXY}/services`;
const CHECKS_URL = `${PROXY}/checks`;
const FLEET_URL = `${PROXY}/coverage/fleet`;

type Answer = () => Observable<unknown>;
const notServed: Answer = () =>
  throwError(() => ({ status: 404, statusText: 'Not Found', data: {} }));
const json =
  (data: unknown): Answer =>
  () =>
    of({ data, status: 200 });

/** The portal behind the proxy route: one answer per path; checks and coverage 404 by default. */
function portal(answers: {
  services?: Answer;
  checks?: Answer;
  fleet?: Answer;
}) {
  mockFetch.mockImplementation(({ url }: { url: string }) => {
    const answer = {
      [SERVICES_URL]: answers.services ?? json({ items: [] }),
      [CHECKS_URL]: answers.checks ?? notServed,
      [FLEET_URL]: answers.fleet ?? notServed,
    }[url];
    if (!answer) throw new Error(`unexpected request to ${url}`);
    return answer();
  });
}

const response: ServicesResponse = {
  items: [
    {
      entityRef: 'component:default/checkout',
      name: 'checkout',
      namespace: 'default',
      owner: 'group:default/payments',
      system: 'shop',
      settings: {
        optedIn: true,
        serviceName: 'checkout-api',
        serviceNameSource: 'annotation',
        tier: 'critical',
        tierSource: 'annotation',
        errors: [],
      },
    },
    {
      entityRef: 'component:default/search',
      name: 'search',
      namespace: 'default',
      owner: 'group:default/discovery',
      settings: {
        optedIn: false,
        serviceName: 'search',
        serviceNameSource: 'metadata.name',
        tier: 'standard',
        tierSource: 'default',
        errors: [
          {
            annotation: 'tracing-health/tier',
            value: 'gold',
            message:
              'tracing-health/tier: must be one of critical, standard, high-volume (got "gold")',
          },
        ],
      },
    },
  ],
};

describe('Overview', () => {
  beforeEach(() => {
    mockFetch.mockReset();
  });

  it('shows a loading state while the portal answers', () => {
    mockFetch.mockReturnValue(NEVER);
    render(<Overview />);

    expect(screen.getByText(/loading services/i)).toBeInTheDocument();
  });

  it('renders one row per service from the portal proxy route', async () => {
    portal({ services: json(response) });
    render(<Overview />);

    const table = await screen.findByRole('table', { name: 'Services' });
    expect(mockFetch).toHaveBeenCalledWith(
      expect.objectContaining({ url: SERVICES_URL, method: 'GET' }),
    );

    const headers = within(table)
      .getAllByRole('columnheader')
      .map(th => th.textContent);
    expect(headers).toEqual([
      'Name',
      'Owner',
      'System',
      'Opted in',
      'service.name',
      'Tier',
      'Errors',
    ]);

    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);

    const checkout = within(rows[0])
      .getAllByRole('cell')
      .map(td => td.textContent);
    expect(checkout).toEqual([
      'checkoutcomponent:default/checkout',
      'group:default/payments',
      'shop',
      'Yes',
      'checkout-api',
      'critical',
      'None',
    ]);

    const search = within(rows[1])
      .getAllByRole('cell')
      .map(td => td.textContent);
    expect(search[2]).toBe('—');
    expect(search[3]).toBe('No');
    expect(search[6]).toContain(
      'must be one of critical, standard, high-volume (got "gold")',
    );
  });

  it('shows an error message when the request fails', async () => {
    portal({
      services: () =>
        throwError(() => ({
          status: 502,
          statusText: 'Bad Gateway',
          data: { message: 'Bad Gateway' },
        })),
    });
    render(<Overview />);

    expect(
      await screen.findByText(
        'Could not load services from the Tracing Health portal',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('HTTP 502: Bad Gateway')).toBeInTheDocument();
    expect(
      screen.getByText(/grafana could not reach the portal/i),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Services' }),
    ).not.toBeInTheDocument();
  });

  it('retries after an error', async () => {
    let servicesCalls = 0;
    portal({
      services: () =>
        ++servicesCalls === 1
          ? throwError(() => ({
              status: 401,
              data: { message: 'Unauthorized' },
            }))
          : of({ data: response, status: 200 }),
    });
    render(<Overview />);

    expect(
      await screen.findByText('HTTP 401: Unauthorized'),
    ).toBeInTheDocument();
    expect(screen.getByText(/is the portal read token/i)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /retry/i }));

    expect(
      await screen.findByRole('table', { name: 'Services' }),
    ).toBeInTheDocument();
    expect(servicesCalls).toBe(2);
  });

  it('reports a response that is not a services list', async () => {
    portal({ services: json('<html>login</html>') });
    render(<Overview />);

    expect(
      await screen.findByText(/unexpected response for \/services/i),
    ).toBeInTheDocument();
  });

  it('shows an empty state when the portal reports no services', async () => {
    portal({ services: json({ items: [] }) });
    render(<Overview />);

    expect(
      await screen.findByText(/reports no catalog components/i),
    ).toBeInTheDocument();
  });

  it('asks for configuration instead of calling the portal when no URL is set', () => {
    render(<Overview isConfigured={false} />);

    expect(
      screen.getByText('Tracing Health is not configured'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /open configuration/i }),
    ).toHaveAttribute('href', '/plugins/tracinghealth-portal-app');
    expect(mockFetch).not.toHaveBeenCalled();
  });

  describe('health checks and fleet coverage', () => {
    const checks: ChecksResponse = {
      items: [
        {
          id: 'pipeline',
          type: 'pipeline',
          title: 'Embedded pipeline',
          intervalSeconds: 60,
          timeoutSeconds: 10,
          recent: [],
          latest: {
            checkId: 'pipeline',
            checkType: 'pipeline',
            status: 'ok',
            message: 'Memory 12% of limit, queue 0%',
            runbookId: 'memory-pressure',
            measurements: [],
            startedAt: '2026-11-22T09:00:00.000Z',
            durationMs: 3,
          },
          statusSince: '2026-11-22T08:00:00.000Z',
        },
        {
          id: 'collector',
          type: 'otel-collector',
          title: 'Gateway collectors',
          intervalSeconds: 60,
          timeoutSeconds: 10,
          recent: [],
          latest: {
            checkId: 'collector',
            checkType: 'otel-collector',
            status: 'critical',
            message: 'health_check answered 503',
            runbookId: 'collector-down',
            service: 'gateway',
            measurements: [],
            startedAt: '2026-11-22T09:00:00.000Z',
            durationMs: 40,
          },
          statusSince: '2026-11-22T08:55:00.000Z',
        },
        {
          id: 'es',
          type: 'elasticsearch',
          title: 'Trace storage',
          intervalSeconds: 300,
          timeoutSeconds: 10,
          recent: [],
        },
      ],
    };

    const fleet: FleetCoverageResponse = {
      generatedAt: '2026-11-22T09:00:00.000Z',
      windowMinutes: 15,
      silentAfterMinutes: 15,
      totals: {
        components: 8,
        optedIn: 4,
        optedInRatio: 0.5,
        optedInEmitting: 3,
        optedInEmittingRatio: 0.75,
        states: { traced: 3, silent: 1, untraced: 4, unregistered: 1 },
        completeness: 0.9634,
        judgedTraces: 1200,
        worstOffenders: [
          {
            entityRef: 'component:default/billing',
            serviceName: 'billing-api',
            state: 'silent',
            reason: 'silent',
            lastSeen: '2026-11-22T07:10:00.000Z',
          },
          {
            entityRef: 'component:default/search',
            serviceName: 'search',
            state: 'traced',
            reason: 'incomplete-traces',
            completeness: 0.81,
          },
        ],
      },
      items: [],
      unregistered: [],
    };

    it('lists the checks worst first, each linking its runbook in the portal', async () => {
      portal({ checks: json(checks) });
      render(<Overview portalUrl="https://backstage.example.com" />);

      const table = await screen.findByRole('table', { name: 'Health checks' });
      const rows = within(table)
        .getAllByRole('row')
        .slice(1)
        .map(row =>
          within(row)
            .getAllByRole('cell')
            .map(cell => cell.textContent),
        );
      expect(rows.map(row => [row[0], row[2], row[3]])).toEqual([
        [
          'Gateway collectorscollector',
          'critical',
          'health_check answered 503',
        ],
        ['Trace storagees', 'unknown', 'Not run yet'],
        ['Embedded pipelinepipeline', 'ok', 'Memory 12% of limit, queue 0%'],
      ]);
      expect(
        within(table).getByRole('link', { name: /collector-down/ }),
      ).toHaveAttribute(
        'href',
        'https://backstage.example.com/tracing-health/runbooks/collector-down?service=gateway',
      );
      expect(mockFetch).toHaveBeenCalledWith(
        expect.objectContaining({ url: CHECKS_URL, method: 'GET' }),
      );
    });

    it('shows the fleet totals, states and worst offenders', async () => {
      portal({ fleet: json(fleet) });
      render(<Overview />);

      const figures = await screen.findByLabelText('Fleet coverage figures');
      expect(
        within(figures).getByText('Opted in').parentElement,
      ).toHaveTextContent('Opted in50%4 of 8');
      expect(
        within(figures).getByText('Opted in and emitting').parentElement,
      ).toHaveTextContent('75%3 of 4');
      expect(
        within(figures).getByText('Trace completeness').parentElement,
      ).toHaveTextContent('96.3%1200 traces judged over 15 min');
      expect(
        screen.getByLabelText('Components per coverage state'),
      ).toHaveTextContent('traced: 3silent: 1untraced: 4unregistered: 1');

      const offenders = screen.getByRole('table', { name: 'Worst offenders' });
      const rows = within(offenders).getAllByRole('row').slice(1);
      expect(rows[0]).toHaveTextContent(
        'component:default/billingbilling-apisilentsilent for more than 15 min2026-11-22T07:10:00.000Z',
      );
      expect(rows[1]).toHaveTextContent('completeness 81%never');
    });

    it('says so when the portal does not serve checks or coverage yet, and still lists services', async () => {
      portal({ services: json(response) });
      render(<Overview />);

      expect(
        await screen.findByText('The portal does not serve /checks'),
      ).toBeInTheDocument();
      expect(
        await screen.findByText('The portal does not serve /coverage/fleet'),
      ).toBeInTheDocument();
      expect(
        await screen.findByRole('table', { name: 'Services' }),
      ).toBeInTheDocument();
    });

    it('reports a checks response of the wrong shape', async () => {
      portal({ checks: json({ checks: [] }) });
      render(<Overview />);

      expect(
        await screen.findByText(/unexpected response for \/checks/i),
      ).toBeInTheDocument();
      expect(
        screen.getByText(
          'Could not load health checks from the Tracing Health portal',
        ),
      ).toBeInTheDocument();
    });
  });
});
