import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { TracingHealthApi, tracingHealthApiRef } from '../../api';
import { checksFixture } from '../checks/testFixtures';
import { EntityRunbooksCard } from './EntityRunbooksCard';
import { RunbookPage } from './RunbookPage';

const checkout: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    annotations: {
      'tracing-health/enabled': 'true',
      'tracing-health/service-name': 'checkout-api',
      'tracing-health/runbook-url': 'https://wiki.example.com/checkout',
    },
  },
  spec: { type: 'service', owner: 'payments-team' },
};

const api: Partial<TracingHealthApi> = {
  getChecks: async () => ({ items: checksFixture() }),
  getRunbooks: async () => ({
    items: [
      { id: 'certificate-expiry', title: 'Certificate expiring', summary: 's' },
      { id: 'kafka-lag', title: 'Kafka consumer lag', summary: 's' },
      { id: 'no-traces', title: 'No traces appearing', summary: 's' },
    ],
  }),
  getRunbook: jest.fn(async (id: string, options?: { service?: string }) => ({
    id: id as any,
    title: id,
    summary: `${options?.service ?? 'the service'} opted in but sent nothing.`,
    markdown: `## Symptoms\n- **${options?.service}** sends nothing\n\n## Resolution\nRun \`curl ${id}\``,
    serviceRunbookUrl: options?.service
      ? 'https://wiki.example.com/checkout'
      : undefined,
  })),
};

describe('EntityRunbooksCard', () => {
  it('shows the team runbook first, failing runbooks next, and renders Markdown for the service', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[tracingHealthApiRef, api]]}>
        <EntityProvider entity={checkout}>
          <EntityRunbooksCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    const team = await screen.findByTestId('team-runbook');
    expect(within(team).getByRole('link')).toHaveAttribute(
      'href',
      'https://wiki.example.com/checkout',
    );
    const titles = await screen.findAllByRole('button', { expanded: false });
    expect(titles.map(t => t.textContent)).toEqual([
      'Kafka consumer lag (failing now)',
      'Certificate expiring (failing now)',
      'No traces appearing',
      'service-silent',
      'missing-spans',
      'high-latency',
      'error-rate',
    ]);
    fireEvent.click(screen.getByText('Certificate expiring (failing now)'));
    const body = await screen.findByTestId('runbook-certificate-expiry');
    expect(api.getRunbook).toHaveBeenCalledWith('certificate-expiry', {
      service: 'checkout-api',
    });
    expect(
      within(body).getByText('checkout-api', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(
      within(body).getByRole('heading', { name: 'Symptoms' }),
    ).toBeInTheDocument();
    expect(
      within(body).getByText('curl certificate-expiry', { selector: 'code' }),
    ).toBeInTheDocument();
  });
});

describe('RunbookPage', () => {
  it('renders one runbook for a service, its team runbook first', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[tracingHealthApiRef, api]]}>
        <RunbookPage />
      </TestApiProvider>,
      { routeEntries: ['/no-traces?service=checkout-api'] },
    );
    const body = await screen.findByTestId('runbook-no-traces');
    expect(
      within(body).getByText("Start with the team's own runbook:", {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(
      within(body).getByText('checkout-api opted in but sent nothing.'),
    ).toBeInTheDocument();
  });

  it('lists the library', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[tracingHealthApiRef, api]]}>
        <RunbookPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('link', { name: 'Kafka consumer lag' }),
    ).toHaveAttribute('href', '/tracing-health/runbooks/kafka-lag');
  });
});
