import {
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  CheckSummary,
  runbookPath,
} from '@internal/plugin-tracing-health-common';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { tracingHealthApiRef } from '../../api';
import { CheckHistorySparkline } from './CheckHistorySparkline';
import { CheckStatusIcon } from './CheckStatusIcon';
import { formatAgo, formatValueAndThreshold } from './format';
import { RunCheckButton } from './RunCheckButton';

const SEVERITY = { critical: 0, warning: 1, unknown: 2, ok: 3 } as const;

/** Statuses, times and runbook ids never break inside a word ("Warnin g"). */
const NO_WRAP = { whiteSpace: 'nowrap' } as const;

/** Worst first; checks that never ran with the unknowns. */
export function sortBySeverity(checks: CheckSummary[]): CheckSummary[] {
  const rank = (c: CheckSummary) => SEVERITY[c.latest?.status ?? 'unknown'];
  return [...checks].sort(
    (a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title),
  );
}

function columns(onRequested: () => void): TableColumn<CheckSummary>[] {
  return [
    {
      title: 'Status',
      width: '120px',
      cellStyle: NO_WRAP,
      render: c => <CheckStatusIcon status={c.latest?.status} />,
    },
    {
      title: 'Check',
      render: c => (
        <>
          <Typography variant="body2">{c.title}</Typography>
          <Typography variant="caption" color="textSecondary">
            {c.type}
            {c.target ? ` · ${c.target}` : ''}
            {c.service ? ` · ${c.service}` : ''}
          </Typography>
        </>
      ),
    },
    {
      title: 'Result',
      render: c =>
        c.latest ? (
          <>
            <Typography variant="body2">{c.latest.message}</Typography>
            <Typography variant="caption" color="textSecondary">
              {formatValueAndThreshold(c.latest)}
            </Typography>
          </>
        ) : (
          'Waiting for the first run'
        ),
    },
    {
      title: 'Last run',
      cellStyle: NO_WRAP,
      render: c => (
        <span title={c.latest?.startedAt}>
          {formatAgo(c.latest?.startedAt)}
        </span>
      ),
    },
    {
      title: 'History',
      render: c => <CheckHistorySparkline points={c.recent} />,
    },
    {
      title: 'Runbook',
      cellStyle: NO_WRAP,
      render: c =>
        c.latest ? (
          <Link to={runbookPath(c.latest.runbookId, c.service)}>
            {c.latest.runbookId}
          </Link>
        ) : null,
    },
    {
      title: '',
      render: c => <RunCheckButton checkId={c.id} onRequested={onRequested} />,
    },
  ];
}

/**
 * The health board: every configured check with its status, last run, recent history and the
 * runbook of its latest result, worst first. `filter` narrows it (e.g. to one service).
 */
export function HealthBoard(props: {
  filter?: (check: CheckSummary) => boolean;
  title?: string;
}) {
  const api = useApi(tracingHealthApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    async () => api.getChecks(),
    [api],
  );
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const checks = sortBySeverity(
    (value?.items ?? []).filter(c => (props.filter ? props.filter(c) : true)),
  );
  // A run requested now lands within the scheduler's poll; read again shortly after.
  const onRequested = () => setTimeout(retry, 3000);
  return (
    <Table<CheckSummary>
      title={props.title}
      options={{
        paging: checks.length > 20,
        pageSize: 20,
        search: checks.length > 10,
        padding: 'dense',
      }}
      columns={columns(onRequested)}
      data={checks}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          No health checks are configured (tracingHealth.checks).
        </Typography>
      }
    />
  );
}
