import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, BadgeColor, TextLink, useStyles2 } from '@grafana/ui';
import {
  type CheckStatus,
  type CheckSummary,
  runbookPath,
} from '@internal/tracing-model';

export interface ChecksBoardProps {
  checks: CheckSummary[];
  /** Portal base URL for runbook links; without it no links are shown. */
  portalUrl?: string;
}

const STATUS_COLORS: Record<CheckStatus, BadgeColor> = {
  ok: 'green',
  warning: 'orange',
  critical: 'red',
  unknown: 'darkgrey',
};

const STATUS_ORDER: Record<CheckStatus, number> = {
  critical: 0,
  warning: 1,
  unknown: 2,
  ok: 3,
};

/** The portal's health checks with their latest result, worst first, each linking its runbook. */
export const ChecksBoard = ({ checks, portalUrl }: ChecksBoardProps) => {
  const styles = useStyles2(getStyles);
  if (checks.length === 0) {
    return <p>The portal has no health checks configured.</p>;
  }
  const sorted = [...checks].sort(
    (a, b) =>
      STATUS_ORDER[a.latest?.status ?? 'unknown'] -
        STATUS_ORDER[b.latest?.status ?? 'unknown'] ||
      a.title.localeCompare(b.title),
  );
  return (
    <table className={styles.table} aria-label="Health checks">
      <thead>
        <tr>
          {['Check', 'Type', 'Status', 'Result', 'Since', 'Runbook'].map(
            column => (
              <th key={column} scope="col" className={styles.th}>
                {column}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>
        {sorted.map(check => {
          const status = check.latest?.status ?? 'unknown';
          const runbookId = check.latest?.runbookId;
          return (
            <tr key={check.id}>
              <td className={styles.td}>
                <div>{check.title}</div>
                <div className={styles.secondary}>{check.id}</div>
              </td>
              <td className={styles.td}>{check.type}</td>
              <td className={styles.td}>
                <Badge color={STATUS_COLORS[status]} text={status} />
              </td>
              <td className={styles.td}>
                {check.latest?.message ?? 'Not run yet'}
              </td>
              <td className={styles.td}>{check.statusSince ?? '—'}</td>
              <td className={styles.td}>
                {runbookId && portalUrl ? (
                  <TextLink
                    href={`${portalUrl}${runbookPath(
                      runbookId,
                      check.latest?.service,
                    )}`}
                    external
                  >
                    {runbookId}
                  </TextLink>
                ) : (
                  runbookId ?? '—'
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({ width: '100%', borderCollapse: 'collapse' }),
  th: css({
    textAlign: 'left',
    padding: theme.spacing(1),
    borderBottom: `1px solid ${theme.colors.border.medium}`,
  }),
  td: css({
    padding: theme.spacing(1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    verticalAlign: 'top',
  }),
  secondary: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
