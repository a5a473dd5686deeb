import {
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { of, throwError } from 'rxjs';
import { PluginType } from '@grafana/data';

import {
  AppConfig,
  AppConfigProps,
  normalizePortalUrl,
  testIds,
  validatePortalUrl,
} from './AppConfig';
import { dataSource, installDataSources } from '../../testUtils/dataSources';
import { alertRulesTestIds } from '../AlertRulesInstall/AlertRulesInstall';

const mockFetch = jest.fn();

// Only the backend service is mocked; everything else is the real @grafana/runtime.
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const PLUGIN_ID = 'tracinghealth-portal-app';
const SETTINGS_URL = `/api/plugins/${PLUGIN_ID}/settings`;

function renderConfig(meta: Partial<AppConfigProps['plugin']['meta']> = {}) {
  const props = {
    plugin: {
      meta: {
        id: PLUGIN_ID,
        name: 'Tracing Health',
        type: PluginType.app,
        enabled: true,
        pinned: false,
        jsonData: {},
        ...meta,
      },
    },
    query: {},
  } as unknown as AppConfigProps;
  return render(<AppConfig {...props} />);
}

const urlInput = () => screen.getByTestId(testIds.portalUrl);
const tokenInput = () => screen.getByTestId(testIds.portalToken);
const save = () =>
  fireEvent.click(screen.getByRole('button', { name: /save settings/i }));

describe('AppConfig', () => {
  let consoleError: jest.SpyInstance;

  beforeEach(() => {
    mockFetch.mockReset();
    mockFetch.mockReturnValue(
      of({ data: { message: 'Plugin settings updated' }, status: 200 }),
    );
    installDataSources([dataSource('prom', 'Prometheus', 'prometheus')]);
    // jsdom reports window.location.reload() (called after a successful save) as
    // "Not implemented: navigation"; record it instead of printing it.
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
  });

  afterEach(() => {
    // Anything else logged as an error fails the test.
    const unexpected = consoleError.mock.calls.filter(
      ([first]) =>
        !/not implemented: navigation/i.test(String(first?.message ?? first)),
    );
    consoleError.mockRestore();
    expect(unexpected).toEqual([]);
  });

  it('renders the portal URL and token fields and the save button', () => {
    renderConfig();

    expect(
      screen.getByRole('group', { name: /tracing health portal/i }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/portal url/i)).toBe(urlInput());
    expect(screen.getByLabelText(/portal access token/i)).toBe(tokenInput());
    expect(tokenInput()).toHaveValue('');
    expect(
      screen.getByRole('button', { name: /save settings/i }),
    ).toBeEnabled();
  });

  it('posts jsonData.portalUrl and secureJsonData.portalToken to the settings endpoint', async () => {
    renderConfig();

    fireEvent.change(urlInput(), {
      target: { value: ' https://backstage.example.com/ ' },
    });
    fireEvent.change(tokenInput(), { target: { value: 's3cret-token' } });
    save();

    await waitFor(() => expect(mockFetch).toHaveBeenCalledTimes(1));
    expect(mockFetch).toHaveBeenCalledWith({
      url: SETTINGS_URL,
      method: 'POST',
      data: {
        enabled: true,
        pinned: false,
        jsonData: { portalUrl: 'https://backstage.example.com' },
        secureJsonData: { portalToken: 's3cret-token' },
      },
    });
  });

  it('reloads the page after a successful save', async () => {
    renderConfig();

    fireEvent.change(urlInput(), {
      target: { value: 'https://backstage.example.com' },
    });
    fireEvent.change(tokenInput(), { target: { value: 't' } });
    save();

    // jsdom cannot navigate; it reports the reload attempt through console.error.
    await waitFor(() =>
      expect(consoleError).toHaveBeenCalledWith(
        expect.objectContaining({
          message: expect.stringMatching(/not implemented: navigation/i),
        }),
      ),
    );
  });

  describe('when the token is already configured', () => {
    const configured = {
      jsonData: {
        portalUrl: 'https://old.example.com',
        someOtherSetting: 'kept',
      },
      secureJsonFields: { portalToken: true },
      // Grafana never sends secrets to the browser; even if it did, the page must not show them.
      secureJsonData: { portalToken: 'stored-secret-token' },
    };

    it('shows it as configured and never renders the token', () => {
      const { container } = renderConfig(configured);

      expect(urlInput()).toHaveValue('https://old.example.com');
      expect(tokenInput()).toHaveValue('configured');
      expect(tokenInput()).toBeDisabled();
      expect(
        screen.getByRole('button', { name: /reset/i }),
      ).toBeInTheDocument();
      expect(
        screen.queryByDisplayValue('stored-secret-token'),
      ).not.toBeInTheDocument();
      expect(container.innerHTML).not.toContain('stored-secret-token');
    });

    it('does not re-send the token when only the URL changes', async () => {
      renderConfig(configured);

      fireEvent.change(urlInput(), {
        target: { value: 'https://new.example.com' },
      });
      save();

      await waitFor(() => expect(mockFetch).toHaveBeenCalledTimes(1));
      const { data } = mockFetch.mock.calls[0][0];
      expect(data.jsonData).toEqual({
        portalUrl: 'https://new.example.com',
        someOtherSetting: 'kept',
      });
      expect(data.secureJsonData).toBeUndefined();
      expect(JSON.stringify(data)).not.toContain('stored-secret-token');
    });

    it('sends a new token after Reset', async () => {
      renderConfig(configured);

      fireEvent.click(screen.getByRole('button', { name: /reset/i }));
      expect(tokenInput()).toBeEnabled();
      expect(tokenInput()).toHaveValue('');
      fireEvent.change(tokenInput(), { target: { value: 'rotated-token' } });
      save();

      await waitFor(() => expect(mockFetch).toHaveBeenCalledTimes(1));
      expect(mockFetch.mock.calls[0][0].data.secureJsonData).toEqual({
        portalToken: 'rotated-token',
      });
    });

    it('requires a new token after Reset', () => {
      renderConfig(configured);

      fireEvent.click(screen.getByRole('button', { name: /reset/i }));
      save();

      expect(
        screen.getByText('The portal access token is required.'),
      ).toBeInTheDocument();
      expect(mockFetch).not.toHaveBeenCalled();
    });
  });

  it("installs the alert rules through Grafana's API only, never with the portal token", async () => {
    renderConfig({
      jsonData: { portalUrl: 'https://backstage.example.com' },
      secureJsonFields: { portalToken: true },
      // Even if Grafana handed the secret to the browser, nothing may send it anywhere.
      secureJsonData: { portalToken: 'stored-secret-token' },
    });

    mockFetch.mockImplementation(({ url, method }) =>
      method === 'GET' && url === '/api/folders/tracing-health'
        ? of({ data: { uid: 'tracing-health', title: 'Tracing Health' } })
        : of({ data: { status: 'success' }, status: 202 }),
    );
    expect(
      screen.getByRole('group', { name: /alert rules/i }),
    ).toBeInTheDocument();
    fireEvent.keyDown(
      within(screen.getByTestId(alertRulesTestIds.datasource)).getByRole(
        'combobox',
      ),
      { key: 'ArrowDown' },
    );
    fireEvent.click(await screen.findByText('Prometheus'));
    fireEvent.click(
      screen.getByRole('button', { name: /install alert rules/i }),
    );

    expect(
      await screen.findByText('Alert rules installed'),
    ).toBeInTheDocument();
    const requests = mockFetch.mock.calls.map(([options]) => options);
    expect(requests.length).toBeGreaterThan(2);
    for (const request of requests) {
      expect(request.url).toMatch(/^\/api\/(folders|convert\/prometheus\/)/);
      expect(JSON.stringify(request)).not.toContain('stored-secret-token');
    }
  });

  it.each([
    [
      'ftp://backstage.example.com',
      'The portal URL must start with http:// or https://',
    ],
    [
      'backstage.example.com',
      'Enter an absolute URL, e.g. https://backstage.example.com',
    ],
    ['', 'The portal URL is required.'],
  ])('shows an error for the URL %p and does not post', (value, message) => {
    renderConfig();

    fireEvent.change(urlInput(), { target: { value } });
    fireEvent.change(tokenInput(), { target: { value: 's3cret-token' } });
    save();

    expect(screen.getByText(message)).toBeInTheDocument();
    expect(mockFetch).not.toHaveBeenCalled();
  });

  it('shows an error when Grafana refuses to save', async () => {
    mockFetch.mockReturnValue(
      throwError(() => ({
        status: 403,
        data: { message: 'Permission denied' },
      })),
    );
    renderConfig();

    fireEvent.change(urlInput(), {
      target: { value: 'https://backstage.example.com' },
    });
    fireEvent.change(tokenInput(), { target: { value: 's3cret-token' } });
    save();

    expect(
      await screen.findByText('HTTP 403: Permission denied'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /save settings/i }),
    ).toBeEnabled();
  });
});

describe('validatePortalUrl / normalizePortalUrl', () => {
  it('accepts http and https base URLs', () => {
    expect(validatePortalUrl('http://localhost:7007')).toBeUndefined();
    expect(
      validatePortalUrl('https://backstage.example.com/portal/'),
    ).toBeUndefined();
  });

  it('rejects query strings and fragments', () => {
    expect(validatePortalUrl('https://backstage.example.com/?x=1')).toMatch(
      /query string/,
    );
    expect(validatePortalUrl('https://backstage.example.com/#x')).toMatch(
      /fragment/,
    );
  });

  it('strips whitespace and trailing slashes', () => {
    expect(
      normalizePortalUrl('  https://backstage.example.com/portal//  '),
    ).toBe('https://backstage.example.com/portal');
  });
});
