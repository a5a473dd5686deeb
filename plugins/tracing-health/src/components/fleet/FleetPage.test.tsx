import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { TracingHealthApi, tracingHealthApiRef } from '../../api';
import { coverageItem, fleetResponse } from '../coverage/testFixtures';
import { FleetPage } from './FleetPage';
import { fleetSections } from './fleetSections';

// Other features add their sections to the page; these tests look at the coverage section.
const coverageOnly = fleetSections.filter(s => s.id === 'coverage');

async function renderPage(
  api: Partial<TracingHealthApi>,
  sections?: Parameters<typeof FleetPage>[0]['sections'],
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [tracingHealthApiRef, api],
        [permissionApiRef, new MockPermissionApi()],
      ]}
    >
      <FleetPage sections={sections} />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

function rowOf(name: string): HTMLElement {
  return within(screen.getByTestId('fleet-coverage-table'))
    .getByRole('link', { name })
    .closest('tr')!;
}

describe('FleetPage', () => {
  it('shows the totals, every component with its state and figures, and the unregistered services', async () => {
    expect(coverageOnly).toHaveLength(1);
    await renderPage(
      { getFleetCoverage: async () => fleetResponse },
      coverageOnly,
    );

    expect(screen.getByText('Tracing Health')).toBeInTheDocument();
    expect(
      await screen.findByText('Coverage by component'),
    ).toBeInTheDocument();

    expect(screen.getByTestId('fleet-total-opted-in')).toHaveTextContent(
      '75.0%3 of 4 components',
    );
    expect(screen.getByTestId('fleet-total-emitting')).toHaveTextContent(
      '66.7%2 of 3 opted in',
    );
    expect(screen.getByTestId('fleet-total-completeness')).toHaveTextContent(
      '95.1%4100 traces over 15 min',
    );
    expect(screen.getByTestId('fleet-total-states')).toHaveTextContent(
      '2 traced · 1 silent · 1 untraced · 1 unregistered',
    );
    expect(
      within(screen.getByTestId('fleet-worst-offenders')).getByText('shipping'),
    ).toBeInTheDocument();

    const states = Object.fromEntries(
      ['checkout', 'payments', 'shipping', 'legacy-reports'].map(name => [
        name,
        within(rowOf(name))
          .getByTestId('coverage-state')
          .getAttribute('data-state'),
      ]),
    );
    expect(states).toEqual({
      checkout: 'traced',
      payments: 'traced',
      shipping: 'silent',
      'legacy-reports': 'untraced',
    });
    const checkout = rowOf('checkout');
    expect(checkout).toHaveTextContent('payments-team');
    expect(checkout).toHaveTextContent('shop');
    expect(checkout).toHaveTextContent('4.50/s'); // requests it received
    expect(checkout).toHaveTextContent('3.4%');
    expect(checkout).toHaveTextContent('182 ms');
    expect(checkout).toHaveTextContent('96.8%');
    expect(
      within(rowOf('payments')).getByText('payments-api'),
    ).toBeInTheDocument();
    expect(within(rowOf('payments')).getByText('50.0%')).toBeInTheDocument();
    expect(rowOf('shipping')).toHaveTextContent('never');
    expect(
      within(rowOf('checkout')).getByRole('link', { name: 'checkout' }),
    ).toHaveAttribute('href', '/catalog/default/component/checkout');

    const unregistered = screen.getByTestId('unregistered-service');
    expect(unregistered).toHaveTextContent('legacy-cron');
    // The highlighter splits the snippet into tokens, so compare the rendered text.
    expect(unregistered.textContent).toContain(
      'tracing-health/enabled: "true"',
    );
    expect(unregistered.textContent).toContain(
      'tracing-health/service-name: legacy-cron',
    );
  });

  it('marks the rows of components that claim the same service.name, naming the other', async () => {
    const claimants = [
      'component:default/checkout',
      'component:default/checkout-copy',
    ];
    await renderPage(
      {
        getFleetCoverage: async () => ({
          ...fleetResponse,
          items: [
            coverageItem('checkout', { conflictingEntities: claimants }),
            coverageItem('checkout-copy', {
              serviceName: 'checkout',
              conflictingEntities: claimants,
            }),
            coverageItem('payments', { serviceName: 'payments-api' }),
          ],
        }),
      },
      coverageOnly,
    );
    await screen.findByText('Coverage by component');
    const marker = within(rowOf('checkout')).getByTestId(
      'fleet-service-name-conflict',
    );
    expect(marker).toHaveTextContent('checkout');
    expect(marker).toHaveTextContent('claimed 2×');
    expect(marker).toHaveAttribute(
      'aria-label',
      expect.stringContaining(
        'Also claimed by component:default/checkout-copy:',
      ),
    );
    expect(
      within(rowOf('checkout-copy')).getByTestId('fleet-service-name-conflict'),
    ).toHaveAttribute(
      'aria-label',
      expect.stringContaining('Also claimed by component:default/checkout:'),
    );
    expect(
      within(rowOf('payments')).queryByTestId('fleet-service-name-conflict'),
    ).toBeNull();
  });

  it('renders the sections it is given, in order', async () => {
    await renderPage({}, [
      { id: 'health', title: 'Health board', render: () => <p>checks here</p> },
      {
        id: 'sampling',
        title: 'Emergency sampling',
        render: () => <p>controls here</p>,
      },
    ]);
    const headings = screen
      .getAllByRole('region')
      .map(r => r.getAttribute('aria-label'));
    expect(headings).toEqual(['Health board', 'Emergency sampling']);
    expect(screen.getByText('checks here')).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    await renderPage(
      {
        getFleetCoverage: () =>
          Promise.reject(new Error('catalog unavailable')),
      },
      coverageOnly,
    );
    expect(
      (await screen.findAllByText(/catalog unavailable/)).length,
    ).toBeGreaterThan(0);
  });
});
