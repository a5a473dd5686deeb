import {
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { OwnerBudgetUsage } from '@internal/plugin-tracing-health-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  formatBytes,
  formatCount,
  useSamplingInsights,
} from './insightsRequests';

const usageText = (u: OwnerBudgetUsage) =>
  [
    u.budget?.spansPerSecond !== undefined &&
      `${formatCount(u.usedSpansPerSecond)} of ${formatCount(
        u.budget.spansPerSecond,
      )} spans/s`,
    u.budget?.bytesPerDay !== undefined &&
      `${formatBytes(u.usedBytesPerDay)} of ${formatBytes(
        u.budget.bytesPerDay,
      )}/day`,
    !u.budget &&
      `${formatCount(u.usedSpansPerSecond)} spans/s, ${formatBytes(
        u.usedBytesPerDay,
      )}/day (no budget)`,
  ]
    .filter(Boolean)
    .join(', ');

/** The fleet page's owner budgets: each owner's kept spans and bytes against its budget. */
export function OwnerBudgetsSection() {
  const insights = useSamplingInsights();
  const { value, loading, error } = useAsync(
    async () => insights?.budgets(),
    [insights],
  );
  if (error) return <ResponseErrorPanel error={error} />;
  if (loading) return <Progress />;
  const items = value?.items ?? [];
  if (items.length === 0)
    return (
      <Typography variant="body2" color="textSecondary">
        No owner has a budget or kept traces in the last hour.
      </Typography>
    );
  return (
    <Table<OwnerBudgetUsage>
      title="Owner budgets (kept traces they root, last hour)"
      options={{ paging: false, search: false, padding: 'dense' }}
      data={items}
      columns={[
        { title: 'Owner', field: 'owner' },
        {
          title: 'Use',
          render: u => (
            <span data-testid="budget-use" data-owner={u.owner}>
              {usageText(u)}
            </span>
          ),
        },
        {
          title: 'State',
          render: u =>
            u.exceeded ? (
              <Typography color="error" variant="body2">
                over budget
              </Typography>
            ) : (
              u.budget && 'within budget'
            ),
        },
        { title: 'Services', render: u => u.services.join(', ') },
        { title: 'Set in', render: u => u.source ?? '' },
      ]}
    />
  );
}
