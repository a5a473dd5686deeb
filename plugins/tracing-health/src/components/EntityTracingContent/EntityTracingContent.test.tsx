import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { tracingHealthApiRef } from '../../api';
import { entityResponse } from '../coverage/testFixtures';
import { EntityTracingContent } from './EntityTracingContent';

const getEntityCoverage = jest.fn(async () => entityResponse());
const getEntityDependencies = jest.fn(async () => ({
  serviceName: 'payments-api',
  windowMinutes: 15,
  upstream: [],
  downstream: [],
  orphanServerSpansPerSecond: 0,
  calledButNotTraced: false,
}));

function component(annotations?: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', annotations },
    spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
  };
}

async function renderFor(entity: Entity) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [tracingHealthApiRef, { getEntityCoverage, getEntityDependencies }],
        [permissionApiRef, new MockPermissionApi()],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityTracingContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityTracingContent', () => {
  it('shows the settings of an opted-in component', async () => {
    await renderFor(
      component({
        'tracing-health/enabled': 'true',
        'tracing-health/service-name': 'payments-api',
        'tracing-health/tier': 'critical',
      }),
    );
    expect(screen.getByText('Tracing settings')).toBeInTheDocument();
    expect(screen.getByText('payments-api')).toBeInTheDocument();
    expect(screen.getByText('critical')).toBeInTheDocument();
    expect(screen.queryByTestId('tracing-annotation-errors')).toBeNull();
    expect(await screen.findByText('Trace coverage')).toBeInTheDocument();
    expect(screen.getByTestId('coverage-state')).toHaveAttribute(
      'data-state',
      'traced',
    );
  });

  it('shows one opt-in card naming the missing annotation, with the snippet', async () => {
    await renderFor(component());
    expect(screen.getAllByTestId('tracing-opt-in-card')).toHaveLength(1);
    expect(screen.queryByText(/Missing Annotation/i)).toBeNull();
    expect(screen.getByTestId('tracing-opt-in-problem')).toHaveTextContent(
      'has no tracing-health/enabled annotation',
    );
    expect(screen.getByText('Opt in to tracing')).toBeInTheDocument();
    // The highlighter splits the snippet into tokens, so compare the rendered text.
    expect(document.body.textContent).toContain(
      'tracing-health/enabled: "true"',
    );
    expect(document.body.textContent).toContain(
      'tracing-health/tier: standard',
    );
    expect(screen.queryByText('Tracing settings')).toBeNull();
    expect(screen.queryByText('Trace coverage')).toBeNull();
  });

  it('shows annotation errors on the entity and uses the defaults', async () => {
    await renderFor(
      component({
        'tracing-health/enabled': 'true',
        'tracing-health/tier': 'gold',
      }),
    );
    const errors = screen.getByTestId('tracing-annotation-errors');
    expect(errors).toHaveTextContent('tracing-health/tier');
    expect(errors).toHaveTextContent('gold');
    expect(screen.getByText('standard')).toBeInTheDocument();
  });

  it('shows one card naming an invalid opt-in value, never calling it missing', async () => {
    await renderFor(
      component({
        'tracing-health/enabled': 'yes',
        'tracing-health/tier': 'gold',
      }),
    );
    expect(screen.getAllByTestId('tracing-opt-in-card')).toHaveLength(1);
    expect(screen.queryByTestId('tracing-annotation-errors')).toBeNull();
    const problem = screen.getByTestId('tracing-opt-in-problem');
    expect(problem).toHaveTextContent('tracing-health/enabled is "yes"');
    expect(problem).toHaveTextContent('tracing-health/tier');
    expect(document.body.textContent).not.toMatch(/missing/i);
    expect(
      screen.getByText('Fix the tracing opt-in annotation'),
    ).toBeInTheDocument();
  });
});
