import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import {
  SamplingValidationFailedError,
  TracingHealthApi,
  tracingHealthApiRef,
} from '../../api';
import { EntitySamplingCard } from './EntitySamplingCard';
import { historyEntry, samplingResponse } from './testFixtures';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: {
      'tracing-health/enabled': 'true',
      'tracing-health/service-name': 'checkout-api',
    },
  },
  spec: { type: 'service', owner: 'payments-team' },
};

function fakeApi(extra: Partial<TracingHealthApi> = {}) {
  return {
    getSamplingPolicy: jest.fn().mockResolvedValue(samplingResponse()),
    getSamplingHistory: jest.fn().mockResolvedValue({ items: [historyEntry] }),
    updateSamplingPolicy: jest.fn().mockResolvedValue(samplingResponse()),
    ...extra,
  };
}

async function renderCard(api: Partial<TracingHealthApi>, allowed: boolean) {
  const permissionRequests: unknown[] = [];
  const permissionApi = new MockPermissionApi(request => {
    permissionRequests.push(request);
    return allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
  });
  // usePermission caches decisions in SWR's global cache: give each test its own.
  await renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [tracingHealthApiRef, api],
          [permissionApiRef, permissionApi],
        ]}
      >
        <EntityProvider entity={entity}>
          <EntitySamplingCard />
        </EntityProvider>
      </TestApiProvider>
    </SWRConfig>,
  );
  return { permissionRequests };
}

describe('EntitySamplingCard', () => {
  it('shows the effective policy, where each field came from, and the history', async () => {
    const api = fakeApi();
    await renderCard(api, false);
    expect(await screen.findByText('Sampling')).toBeInTheDocument();
    expect(api.getSamplingPolicy).toHaveBeenCalledWith('checkout-api');
    expect(screen.getByTestId('sampling-strategy')).toHaveTextContent(
      'probabilistic 25%',
    );
    const sources = screen
      .getAllByTestId('sampling-source')
      .map(e => e.getAttribute('data-source'));
    expect(sources).toEqual([
      'service',
      'default',
      'default',
      'default',
      'tier',
    ]);
    expect(screen.getByTestId('sampling-sdks-are-told')).toHaveTextContent(
      '100%',
    );
    expect(screen.getByText('cost review')).toBeInTheDocument();
    expect(screen.getByText(/tier critical/)).toBeInTheDocument();
  });

  it('shows the adaptive rate and active overrides with their time left', async () => {
    const adaptive = {
      strategy: {
        type: 'adaptive' as const,
        targetTracesPerSecond: 5,
        minRate: 0.01,
        maxRate: 1,
      },
      operations: [],
      alwaysKeep: { keepErrors: true },
      samplingLocation: 'pipeline' as const,
    };
    await renderCard(
      fakeApi({
        getSamplingPolicy: jest.fn().mockResolvedValue(
          samplingResponse({
            policy: adaptive,
            basePolicy: adaptive,
            adaptiveRate: 0.125,
            overrides: [
              {
                id: 'o1',
                scope: 'global',
                action: 'cap-rate',
                maxRate: 0.05,
                reason: 'storage full',
                createdBy: 'user:default/alice',
                createdAt: new Date().toISOString(),
                expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
              },
            ],
          }),
        ),
      }),
      false,
    );
    expect(
      await screen.findByTestId('sampling-current-adaptive-rate'),
    ).toHaveTextContent('12.5%');
    expect(screen.getByText(/capped at 5%/)).toBeInTheDocument();
    expect(screen.getByTestId('countdown')).toHaveTextContent(
      /^expires in (59m|1h)/,
    );
  });

  it('offers no edit form without the update permission, asked for this entity', async () => {
    const { permissionRequests } = await renderCard(fakeApi(), false);
    await screen.findByTestId('sampling-strategy');
    expect(screen.queryByRole('button', { name: 'Edit policy' })).toBeNull();
    expect(
      screen.getByText(/Only the owners of this service/),
    ).toBeInTheDocument();
    expect(permissionRequests).toEqual([
      expect.objectContaining({
        permission: expect.objectContaining({
          name: 'tracing-health.sampling.update',
        }),
        resourceRef: 'component:default/checkout',
      }),
    ]);
  });

  it('lets owners edit, requires a reason, and sends only what they changed', async () => {
    const api = fakeApi();
    await renderCard(api, true);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit policy' }),
    );
    const save = screen.getByRole('button', { name: 'Save policy' });
    expect(save).toBeDisabled();

    const rate = screen.getByLabelText('Rate');
    await userEvent.clear(rate);
    await userEvent.type(rate, '0.05');
    fireEvent.blur(screen.getByLabelText('Reason'));
    expect(screen.getByText('A reason is required')).toBeInTheDocument();
    expect(save).toBeDisabled();

    await userEvent.type(
      screen.getByLabelText('Reason'),
      'Black Friday volume',
    );
    expect(save).toBeEnabled();
    await userEvent.click(save);
    await waitFor(() =>
      expect(api.updateSamplingPolicy).toHaveBeenCalledTimes(1),
    );
    expect(api.updateSamplingPolicy).toHaveBeenCalledWith('checkout-api', {
      policy: { strategy: { type: 'probabilistic', rate: 0.05 } },
      reason: 'Black Friday volume',
    });
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Save policy' })).toBeNull(),
    );
    expect(api.getSamplingPolicy).toHaveBeenCalledTimes(2);
  });

  it('shows the backend’s validation errors at their fields', async () => {
    const api = fakeApi({
      updateSamplingPolicy: jest.fn().mockRejectedValue(
        new SamplingValidationFailedError([
          { path: 'policy.strategy.rate', message: 'must be between 0 and 1' },
          { path: 'policy.operations[0].rate', message: 'is required' },
          { path: 'policy.mystery', message: 'is not a known field' },
        ]),
      ),
    });
    await renderCard(api, true);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit policy' }),
    );
    const rate = screen.getByLabelText('Rate');
    await userEvent.clear(rate);
    await userEvent.type(rate, '7');
    await userEvent.type(screen.getByLabelText('Reason'), 'oops');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));

    expect(
      await screen.findByText('must be between 0 and 1'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('operations[0].rate: is required'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('sampling-form-errors')).getByText(
        /policy.mystery: is not a known field/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Save policy' }),
    ).toBeInTheDocument();
  });

  it('warns, naming the other component, when another component claims the same service.name, and offers no edit form', async () => {
    const api = fakeApi({
      getSamplingPolicy: jest.fn().mockResolvedValue(
        samplingResponse({
          conflictingEntities: [
            'component:default/checkout',
            'component:default/checkout-copy',
          ],
        }),
      ),
    });
    await renderCard(api, true);
    const warning = await screen.findByTestId('sampling-service-name-conflict');
    expect(warning).toHaveTextContent(
      'service.name checkout-api is claimed by more than one component',
    );
    expect(warning).toHaveTextContent(
      'Also claimed by component:default/checkout-copy.',
    );
    // the page's own component is not named as the other claimant
    expect(warning).not.toHaveTextContent('by component:default/checkout,');
    expect(screen.queryByRole('button', { name: 'Edit policy' })).toBeNull();
  });

  it('shows no conflict warning when only this component claims the service.name', async () => {
    await renderCard(fakeApi(), true);
    await screen.findByRole('button', { name: 'Edit policy' });
    expect(screen.queryByTestId('sampling-service-name-conflict')).toBeNull();
  });

  it('refuses operation rules that are not JSON before asking the backend', async () => {
    const api = fakeApi();
    await renderCard(api, true);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit policy' }),
    );
    const ops = screen.getByLabelText('Per-operation rules (JSON)');
    fireEvent.change(ops, { target: { value: '[{' } });
    await userEvent.type(screen.getByLabelText('Reason'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByText(/is not valid JSON/)).toBeInTheDocument();
    expect(api.updateSamplingPolicy).not.toHaveBeenCalled();
  });
});
