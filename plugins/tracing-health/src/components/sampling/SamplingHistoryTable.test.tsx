import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { SamplingHistoryTable } from './SamplingHistoryTable';

const policy = (rate: number) => ({
  serviceName: 'orders',
  policy: { strategy: { type: 'probabilistic', rate } },
  updatedBy: 'user:default/guest',
  updatedAt: '2026-12-03T10:00:00Z',
});

describe('SamplingHistoryTable', () => {
  it('shows the changed fields in words and the date on one line', async () => {
    await renderInTestApp(
      <SamplingHistoryTable
        title="Change history"
        items={[
          {
            id: 1,
            at: '2026-12-03T10:04:00Z',
            actor: 'user:default/guest',
            action: 'policy-update',
            scope: 'orders',
            before: policy(1),
            after: policy(0.25),
            reason: 'orders is noisy',
          },
        ]}
      />,
    );
    const change = screen.getByTestId('sampling-history-change');
    expect(change).toHaveTextContent('rate 100% → 25%');
    expect(change.textContent).not.toContain('{');
    const when = screen.getByTitle(
      new Date('2026-12-03T10:04:00Z').toLocaleString(),
    );
    expect(when.closest('td')).toHaveStyle({ whiteSpace: 'nowrap' });
  });
});
