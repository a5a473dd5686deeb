import { fireEvent, render, screen, within } from '@testing-library/react';
import { NEVER, of, throwError } from 'rxjs';

import Overview from './Overview';
import type { ServicesResponse } from '../types';

const mockFetch = jest.fn();

// Only the backend service is mocked; PluginPage etc. are the real @grafana/runtime.
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const SERVICES_URL =
  '/api/plugin-proxy/tracinghealth-portal-app/portal/services';

const response: ServicesResponse = {
  items: [
    {
      entityRef: 'component:default/checkout',
      name: 'checkout',
      owner: 'group:default/payments',
      system: 'shop',
      settings: {
        optedIn: true,
        serviceName: 'checkout-api',
        tier: 'critical',
        errors: [],
      },
    },
    {
      entityRef: 'component:default/search',
      name: 'search',
      owner: 'group:default/discovery',
      settings: {
        optedIn: false,
        serviceName: 'search',
        tier: 'standard',
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
    mockFetch.mockReturnValue(of({ data: response, status: 200 }));
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
    mockFetch.mockReturnValue(
      throwError(() => ({
        status: 502,
        statusText: 'Bad Gateway',
        data: { message: 'Bad Gateway' },
      })),
    );
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
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('retries after an error', async () => {
    mockFetch
      .mockReturnValueOnce(
        throwError(() => ({ status: 401, data: { message: 'Unauthorized' } })),
      )
      .mockReturnValueOnce(of({ data: response, status: 200 }));
    render(<Overview />);

    expect(
      await screen.findByText('HTTP 401: Unauthorized'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/check the portal access token/i),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /retry/i }));

    expect(
      await screen.findByRole('table', { name: 'Services' }),
    ).toBeInTheDocument();
    expect(mockFetch).toHaveBeenCalledTimes(2);
  });

  it('reports a response that is not a services list', async () => {
    mockFetch.mockReturnValue(of({ data: '<html>login</html>', status: 200 }));
    render(<Overview />);

    expect(
      await screen.findByText(/unexpected response for \/services/i),
    ).toBeInTheDocument();
  });

  it('shows an empty state when the portal reports no services', async () => {
    mockFetch.mockReturnValue(of({ data: { items: [] }, status: 200 }));
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
});
