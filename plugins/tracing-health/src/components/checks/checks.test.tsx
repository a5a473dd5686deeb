import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { TracingHealthApi, tracingHealthApiRef } from '../../api';
import {
  checksForService,
  EntityHealthChecksCard,
} from './EntityHealthChecksCard';
import { HealthBoard } from './HealthBoard';
import { checksFixture } from './testFixtures';

const checkout: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    annotations: {
      'tracing-health/enabled': 'true',
      'tracing-health/service-name': 'checkout-api',
    },
  },
  spec: { type: 'service', owner: 'payments-team' },
};

function permissionApi(result: AuthorizeResult) {
  return { authorize: jest.fn().mockResolvedValue({ result }) };
}

async function render(
  element: JSX.Element,
  api: Partial<TracingHealthApi>,
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [tracingHealthApiRef, api],
        [permissionApiRef, permissionApi(permission)],
      ]}
    >
      <EntityProvider entity={checkout}>{element}</EntityProvider>
    </TestApiProvider>,
  );
}

describe('HealthBoard', () => {
  it('lists checks worst first with status, last run, history and a runbook link', async () => {
    await render(<HealthBoard />, {
      getChecks: async () => ({ items: checksFixture() }),
    });
    await screen.findByText('Gateway collector');
    const rows = screen.getAllByRole('row').slice(1);
    const titles = rows.map(
      r =>
        within(r).queryAllByText(/collector|lag|TLS|readiness|Opted-in/)[0]
          ?.textContent,
    );
    expect(titles).toEqual([
      'checkout TLS',
      'Opted-in services sending traces',
      'Kafka consumer lag',
      'search readiness',
      'Gateway collector',
    ]);
    const kafka = rows[2];
    expect(within(kafka).getByTestId('check-status')).toHaveAttribute(
      'data-status',
      'warning',
    );
    expect(
      within(kafka).getByText('250000 (threshold 100000)'),
    ).toBeInTheDocument();
    expect(within(kafka).getByText('just now')).toBeInTheDocument();
    expect(
      within(kafka).getByRole('link', { name: 'kafka-lag' }),
    ).toHaveAttribute('href', '/tracing-health/runbooks/kafka-lag');
    const tls = rows[0];
    expect(
      within(tls).getByRole('link', { name: 'certificate-expiry' }),
    ).toHaveAttribute(
      'href',
      '/tracing-health/runbooks/certificate-expiry?service=checkout-api',
    );
    expect(
      within(tls).getByText('3.0 days (threshold 7.0 days)'),
    ).toBeInTheDocument();
    expect(
      within(rows[3]).getByText('Waiting for the first run'),
    ).toBeInTheDocument();
    expect(within(rows[4]).getByRole('img')).toHaveAccessibleName(
      'last 3 runs: 1 critical, 2 ok',
    );
  });

  it('asks for a run now when allowed, and hides the button otherwise', async () => {
    const runCheck = jest.fn().mockResolvedValue(undefined);
    await render(<HealthBoard />, {
      getChecks: async () => ({ items: checksFixture() }),
      runCheck,
    });
    const buttons = await screen.findAllByRole('button', { name: 'Run now' });
    expect(buttons).toHaveLength(5);
    fireEvent.click(buttons[0]);
    await waitFor(() => expect(runCheck).toHaveBeenCalledWith('checkout-tls'));
    expect(
      await screen.findByRole('button', { name: 'Requested' }),
    ).toBeInTheDocument();
  });
});

describe('checks concerning a service', () => {
  it('keeps global checks, its own checks and its own service-volume line', () => {
    const rows = checksForService(checksFixture(), 'checkout-api');
    expect(rows.map(r => [r.check.id, r.status, r.runbookId])).toEqual([
      ['collector', 'ok', 'collector-down'],
      ['kafka-lag', 'warning', 'kafka-lag'],
      ['volume', 'ok', 'trace-data-loss'],
      ['checkout-tls', 'critical', 'certificate-expiry'],
    ]);
    const inventory = checksForService(checksFixture(), 'inventory-api');
    expect(inventory.find(r => r.check.id === 'volume')).toMatchObject({
      status: 'critical',
      runbookId: 'service-silent',
    });
  });

  it('renders the entity card with runbook links for what is not ok', async () => {
    await render(<EntityHealthChecksCard />, {
      getChecks: async () => ({ items: checksFixture() }),
    });
    const tls = await screen.findByTestId('entity-check-checkout-tls');
    expect(
      within(tls).getByRole('link', { name: 'What to do: certificate-expiry' }),
    ).toHaveAttribute(
      'href',
      '/tracing-health/runbooks/certificate-expiry?service=checkout-api',
    );
    const volume = screen.getByTestId('entity-check-volume');
    expect(within(volume).getByText(/12.50 traces\/s/)).toBeInTheDocument();
    expect(within(volume).queryByRole('link')).toBeNull();
    expect(screen.queryByTestId('entity-check-search-http')).toBeNull();
  });
});
