import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import {
  SamplingValidationFailedError,
  TracingHealthApi,
  tracingHealthApiRef,
} from '../../api';
import { SamplingEmergencySection } from './SamplingEmergencySection';

const override = {
  id: 'o1',
  scope: 'checkout-api',
  action: 'cap-rate' as const,
  maxRate: 0.01,
  reason: 'trace storm',
  createdBy: 'user:default/alice',
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
};

function fakeApi(extra: Partial<TracingHealthApi> = {}) {
  return {
    getSamplingOverrides: jest.fn().mockResolvedValue({ items: [override] }),
    getSamplingMaintenance: jest.fn().mockResolvedValue({}),
    getSamplingHistory: jest.fn().mockResolvedValue({
      items: [
        {
          id: 9,
          at: override.createdAt,
          actor: 'user:default/alice',
          action: 'override-create',
          scope: 'checkout-api',
          before: null,
          after: override,
          reason: 'trace storm',
        },
      ],
    }),
    createSamplingOverride: jest.fn().mockResolvedValue(override),
    deleteSamplingOverride: jest.fn().mockResolvedValue(undefined),
    enterSamplingMaintenance: jest.fn().mockResolvedValue({}),
    ...extra,
  };
}

async function renderSection(api: Partial<TracingHealthApi>, admin: boolean) {
  const permissionApi = new MockPermissionApi(request =>
    admin && request.permission.name === 'tracing-health.sampling.emergency'
      ? AuthorizeResult.ALLOW
      : AuthorizeResult.DENY,
  );
  await renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [tracingHealthApiRef, api],
          [permissionApiRef, permissionApi],
        ]}
      >
        <SamplingEmergencySection />
      </TestApiProvider>
    </SWRConfig>,
  );
}

describe('SamplingEmergencySection', () => {
  it('shows active overrides with time left and the audit log, without controls for non-admins', async () => {
    await renderSection(fakeApi(), false);
    const active = await screen.findByTestId('active-override');
    expect(active).toHaveTextContent('Rates capped at 1% for checkout-api');
    expect(within(active).getByTestId('countdown')).toHaveTextContent(
      /^expires in (29|30)m/,
    );
    expect(screen.getByText('Sampling audit log')).toBeInTheDocument();
    expect(screen.getByText('Override started')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Start override' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'End override' })).toBeNull();
    expect(screen.getByText(/for the platform team/)).toBeInTheDocument();
  });

  it('lets admins start an override with a reason; errors show at their fields', async () => {
    const api = fakeApi({
      createSamplingOverride: jest
        .fn()
        .mockRejectedValueOnce(
          new SamplingValidationFailedError([
            {
              path: 'expiresInMinutes',
              message: 'must be at most 1440 minutes',
            },
          ]),
        )
        .mockResolvedValueOnce(override),
    });
    await renderSection(api, true);
    const start = await screen.findByRole('button', { name: 'Start override' });
    expect(start).toBeDisabled();
    await userEvent.type(
      screen.getByLabelText('Override reason'),
      'collector overloaded',
    );
    const minutes = screen.getByLabelText('Override expires in minutes');
    await userEvent.clear(minutes);
    await userEvent.type(minutes, '5000');
    await userEvent.click(start);
    expect(
      await screen.findByText('must be at most 1440 minutes'),
    ).toBeInTheDocument();
    expect(api.createSamplingOverride).toHaveBeenLastCalledWith({
      scope: 'global',
      action: 'cap-rate',
      maxRate: 0.01,
      reason: 'collector overloaded',
      expiresInMinutes: 5000,
    });
    await userEvent.clear(minutes);
    await userEvent.type(minutes, '30');
    await userEvent.click(start);
    await waitFor(() =>
      expect(api.createSamplingOverride).toHaveBeenCalledTimes(2),
    );
    await waitFor(() =>
      expect(screen.queryByText('must be at most 1440 minutes')).toBeNull(),
    );
  });

  it('ends an override only with a reason', async () => {
    const api = fakeApi();
    await renderSection(api, true);
    await userEvent.click(
      await screen.findByRole('button', { name: 'End override' }),
    );
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', {
      name: 'End override',
    });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText('Reason for ending'),
      'storm over',
    );
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(api.deleteSamplingOverride).toHaveBeenCalledWith(
        'o1',
        'storm over',
      ),
    );
  });

  it('enters maintenance with a factor', async () => {
    const api = fakeApi();
    await renderSection(api, true);
    await userEvent.type(
      await screen.findByLabelText('Maintenance reason'),
      'DB upgrade',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Enter maintenance' }),
    );
    await waitFor(() =>
      expect(api.enterSamplingMaintenance).toHaveBeenCalledWith({
        factor: 0.1,
        reason: 'DB upgrade',
        expiresInMinutes: 120,
      }),
    );
  });
});
