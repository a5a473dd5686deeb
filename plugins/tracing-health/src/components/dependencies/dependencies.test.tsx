import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DependencyEdge,
  EntityDependenciesResponse,
  FleetDependenciesResponse,
} from '@internal/plugin-tracing-health-common';
import { screen, within } from '@testing-library/react';
import { TracingHealthApi, tracingHealthApiRef } from '../../api';
import { EntityDependenciesCard } from './EntityDependenciesCard';
import { FleetDependenciesSection } from './FleetDependenciesSection';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'service', owner: 'team-a' },
};

function edge(partial: Partial<DependencyEdge>): DependencyEdge {
  return {
    client: 'web',
    server: 'orders',
    connectionType: '',
    virtual: false,
    requestsPerSecond: 2,
    errorRatio: 0.25,
    p95Seconds: 0.012,
    brokenPerSecond: 0,
    propagation: 'ok',
    ...partial,
  };
}

const webResponse: EntityDependenciesResponse = {
  serviceName: 'web',
  windowMinutes: 15,
  upstream: [],
  downstream: [
    edge({ serverEntityRef: 'component:default/orders' }),
    edge({
      server: 'billing',
      requestsPerSecond: 0,
      errorRatio: undefined,
      p95Seconds: undefined,
      brokenPerSecond: 1,
      brokenRatio: 1,
      propagation: 'broken',
      likelyBrokenSide: 'server',
    }),
    edge({
      server: 'payments-legacy',
      connectionType: 'virtual_node',
      virtual: true,
      propagation: 'not-traced',
    }),
  ],
  orphanServerSpansPerSecond: 0,
  calledButNotTraced: false,
};

async function render(api: Partial<TracingHealthApi>, element: JSX.Element) {
  await renderInTestApp(
    <TestApiProvider apis={[[tracingHealthApiRef, api]]}>
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('EntityDependenciesCard', () => {
  it('lists what the entity calls with rates, errors, p95 and who breaks the trace', async () => {
    const getEntityDependencies = jest.fn(async () => webResponse);
    await render({ getEntityDependencies }, <EntityDependenciesCard />);
    const table = await screen.findByTestId('dependencies-downstream');
    expect(getEntityDependencies).toHaveBeenCalledWith({
      namespace: 'default',
      kind: 'Component',
      name: 'web',
    });
    const rows = within(table).getAllByTestId('dependency-edge');
    expect(rows.map(r => r.getAttribute('data-server'))).toEqual([
      'orders',
      'billing',
      'payments-legacy',
    ]);
    expect(rows[0]).toHaveTextContent('2.00/s');
    expect(rows[0]).toHaveTextContent('25.0%');
    expect(rows[0]).toHaveTextContent('12 ms');
    expect(rows[1]).toHaveTextContent(
      'broken: billing does not extract the context',
    );
    // Calls that lose the context are calls too.
    expect(rows[1]).toHaveTextContent('1.00/s');
    expect(
      within(rows[1]).getByTestId('broken-propagation-runbook'),
    ).toHaveAttribute(
      'href',
      '/tracing-health/runbooks/broken-propagation?service=billing',
    );
    expect(within(rows[2]).getByTestId('virtual-node')).toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('not traced');
    expect(
      screen.getByText('No calls from other services in the window.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByTestId('called-but-not-traced'),
    ).not.toBeInTheDocument();
  });

  it('tells a component that others call but that sends no spans', async () => {
    const response: EntityDependenciesResponse = {
      serviceName: 'payments-legacy',
      windowMinutes: 15,
      upstream: [
        edge({
          server: 'payments-legacy',
          virtual: true,
          connectionType: 'virtual_node',
          propagation: 'not-traced',
        }),
      ],
      downstream: [],
      orphanServerSpansPerSecond: 0,
      calledButNotTraced: true,
    };
    await render(
      { getEntityDependencies: async () => response },
      <EntityDependenciesCard onlyIfCalled />,
    );
    expect(
      await screen.findByTestId('called-but-not-traced'),
    ).toHaveTextContent(
      'web call this component (as payments-legacy), but it sends no spans',
    );
  });

  it('renders nothing for a component nobody calls when asked to show only callers', async () => {
    await render(
      {
        getEntityDependencies: async () => ({ ...webResponse, downstream: [] }),
      },
      <>
        <EntityDependenciesCard onlyIfCalled />
        <span>after</span>
      </>,
    );
    await screen.findByText('after');
    expect(screen.queryByText('Dependencies')).not.toBeInTheDocument();
  });
});

describe('FleetDependenciesSection', () => {
  it('shows the worst edges and the uninstrumented dependencies with their catalog component', async () => {
    const fleet: FleetDependenciesResponse = {
      generatedAt: new Date().toISOString(),
      windowMinutes: 15,
      totalEdges: 3,
      worstEdges: [webResponse.downstream[1], webResponse.downstream[0]],
      uninstrumented: [
        {
          name: 'payments-legacy',
          entityRef: 'component:default/payments',
          callers: ['web'],
          requestsPerSecond: 0.5,
        },
      ],
    };
    await render(
      { getFleetDependencies: async () => fleet },
      <FleetDependenciesSection />,
    );
    const rows = within(
      await screen.findByTestId('worst-edges'),
    ).getAllByTestId('dependency-edge');
    expect(rows.map(r => r.getAttribute('data-propagation'))).toEqual([
      'broken',
      'ok',
    ]);
    expect(screen.getByTestId('uninstrumented')).toHaveTextContent(
      '0.50/s from web · in the catalog, not traced',
    );
  });
});
