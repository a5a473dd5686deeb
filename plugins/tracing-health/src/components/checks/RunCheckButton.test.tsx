import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { tracingHealthApiRef } from '../../api';
import { HealthBoard } from './HealthBoard';
import { checksFixture } from './testFixtures';

// Its own file: usePermission caches decisions per permission for the whole module.
describe('HealthBoard without tracing-health.check.run', () => {
  it('shows no run button', async () => {
    const authorize = jest
      .fn()
      .mockResolvedValue({ result: AuthorizeResult.DENY });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            tracingHealthApiRef,
            { getChecks: async () => ({ items: checksFixture() }) },
          ],
          [permissionApiRef, { authorize }],
        ]}
      >
        <HealthBoard />
      </TestApiProvider>,
    );
    await screen.findByText('Gateway collector');
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        permission: expect.objectContaining({
          name: 'tracing-health.check.run',
        }),
      }),
    );
    expect(screen.queryByRole('button', { name: 'Run now' })).toBeNull();
  });
});
