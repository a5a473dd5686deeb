import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { TracingHealthApi, tracingHealthApiRef } from '../../api';
import { EntityCoverageCard } from './EntityCoverageCard';
import { entityResponse } from './testFixtures';

// jsdom has no layout: give recharts' containers the size a browser would.
beforeAll(() => {
  const measure = HTMLElement.prototype.getBoundingClientRect;
  jest
    .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
    .mockImplementation(function rect(this: HTMLElement) {
      if (!this.classList.contains('recharts-responsive-container'))
        return measure.call(this);
      return {
        width: 320,
        height: 160,
        top: 0,
        left: 0,
        right: 320,
        bottom: 160,
        x: 0,
        y: 0,
        toJSON: () => ({}),
      };
    });
});

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: { 'tracing-health/enabled': 'true' },
  },
  spec: { type: 'service', owner: 'payments-team' },
};

async function renderCard(api: Partial<TracingHealthApi>) {
  await renderInTestApp(
    <TestApiProvider apis={[[tracingHealthApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityCoverageCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const figure = (label: string) =>
  screen.getByTestId(`coverage-figure-${label}`);

describe('EntityCoverageCard', () => {
  it('shows the state, the figures and the three charts of the entity', async () => {
    const getEntityCoverage = jest.fn(
      async (_ref: unknown, opts: { hours?: number }) =>
        entityResponse({}, { hours: opts.hours, dataMinutes: 25 * 60 }),
    );
    await renderCard({ getEntityCoverage });

    expect(await screen.findByText('Trace coverage')).toBeInTheDocument();
    expect(getEntityCoverage).toHaveBeenCalledWith(
      { namespace: 'default', kind: 'Component', name: 'checkout' },
      { hours: 24 },
    );
    await waitFor(() =>
      expect(screen.getByTestId('coverage-state')).toHaveAttribute(
        'data-state',
        'traced',
      ),
    );
    expect(figure('Requests/s')).toHaveTextContent('4.50/s');
    expect(figure('Traces started/s')).toHaveTextContent('2.25/s');
    expect(figure('Spans/s')).toHaveTextContent('12.5/s');
    expect(figure('Errors')).toHaveTextContent('3.4%');
    expect(figure('p95')).toHaveTextContent('182 ms');
    expect(figure('Completeness')).toHaveTextContent('96.8%');
    expect(figure('Sampling')).toHaveTextContent('10.0%');
    expect(screen.getByTestId('coverage-chart-caption')).toHaveTextContent(
      'Last 24 hours',
    );
    expect(getEntityCoverage).toHaveBeenCalledTimes(1);
    for (const chart of ['rate', 'errors', 'p95']) {
      const container = screen.getByTestId(`coverage-chart-${chart}`);
      await waitFor(() =>
        expect(container.querySelector('svg.recharts-surface')).not.toBeNull(),
      );
      expect(
        container
          .querySelector('.recharts-line-curve, .recharts-area-curve')
          ?.getAttribute('d'),
      ).toMatch(/^M/);
    }
  });

  it('shows requests, not 0/s, for a service that only others call', async () => {
    const only = {
      ...entityResponse().coverage.figures,
      tracesPerSecond: 0,
      requestsPerSecond: 2.84,
    };
    await renderCard({
      getEntityCoverage: async () => entityResponse({ figures: only }),
    });
    expect(
      await screen.findByTestId('coverage-figure-Requests/s'),
    ).toHaveTextContent('2.84/s');
    expect(screen.queryByTestId('coverage-figure-Traces started/s')).toBeNull();
    const figures = [
      ...document.querySelectorAll('[data-testid^="coverage-figure-"]'),
    ];
    expect(figures.map(f => f.textContent)).not.toContain('0/s');
  });

  it('charts minutes of data on a portal that started minutes ago, in a window picked from the data', async () => {
    const getEntityCoverage = jest.fn(
      async (_ref: unknown, opts: { hours?: number }) =>
        entityResponse({}, { hours: opts.hours, dataMinutes: 3 }),
    );
    await renderCard({ getEntityCoverage });
    await waitFor(() =>
      expect(getEntityCoverage).toHaveBeenLastCalledWith(expect.anything(), {
        hours: 1,
      }),
    );
    const caption = await screen.findByTestId('coverage-chart-caption');
    expect(caption).toHaveTextContent(/^Collecting since/);
    expect(screen.getByRole('button', { name: '1 h' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    // Only the steps with data are drawn, each with a marker.
    const p95 = screen.getByTestId('coverage-chart-p95');
    await waitFor(() =>
      expect(p95.querySelectorAll('.recharts-line-dot').length).toBe(3),
    );
    // The error axis tops out at the data (1%), not 400%.
    const errorTicks = [
      ...screen
        .getByTestId('coverage-chart-errors')
        .querySelectorAll(
          '.recharts-yAxis .recharts-cartesian-axis-tick-value',
        ),
    ].map(t => t.textContent);
    expect(errorTicks).toContain('1.0%');
    expect(Math.max(...errorTicks.map(t => parseFloat(t ?? '')))).toBe(1);

    fireEvent.click(screen.getByRole('button', { name: '6 h' }));
    await waitFor(() =>
      expect(getEntityCoverage).toHaveBeenLastCalledWith(expect.anything(), {
        hours: 6,
      }),
    );
  });

  it('explains a silent service and links its runbook', async () => {
    await renderCard({
      getEntityCoverage: async () =>
        entityResponse({
          state: 'silent',
          lastSeen: undefined,
          figures: {
            spansPerSecond: 0,
            requestsPerSecond: 0,
            tracesPerSecond: 0,
            judgedTraces: 0,
            orphanSpans: 0,
          },
        }),
    });
    expect(await screen.findByTestId('coverage-state')).toHaveAttribute(
      'data-state',
      'silent',
    );
    expect(screen.getByText(/for more than 10 minutes/)).toBeInTheDocument();
    expect(screen.getByText('What to check').closest('a')).toHaveAttribute(
      'href',
      '/tracing-health/runbooks/service-silent?service=checkout',
    );
    expect(figure('Last seen')).toHaveTextContent('never');
    expect(figure('Errors')).toHaveTextContent('—');
  });

  it('shows the error when the backend fails', async () => {
    await renderCard({
      getEntityCoverage: async () => Promise.reject(new Error('backend down')),
    });
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
    expect(screen.queryByTestId('coverage-state')).toBeNull();
  });
});
