import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';

import type { TracedServiceInfo } from '@internal/tracing-model';

export interface ServicesTableProps {
  services: TracedServiceInfo[];
}

const COLUMNS = [
  'Name',
  'Owner',
  'System',
  'Opted in',
  'service.name',
  'Tier',
  'Errors',
] as const;

/** One row per catalog component the portal reports, with its tracing settings. */
export const ServicesTable = ({ services }: ServicesTableProps) => {
  const styles = useStyles2(getStyles);

  return (
    <table className={styles.table} aria-label="Services">
      <thead>
        <tr>
          {COLUMNS.map(column => (
            <th key={column} scope="col" className={styles.th}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {services.map(service => {
          const settings = service.settings;
          const errors = settings?.errors ?? [];
          return (
            <tr key={service.entityRef} className={styles.tr}>
              <td className={styles.td}>
                <div>{service.title || service.name}</div>
                <div className={styles.secondary}>{service.entityRef}</div>
              </td>
              <td className={styles.td}>{service.owner || '—'}</td>
              <td className={styles.td}>{service.system || '—'}</td>
              <td className={styles.td}>
                {settings?.optedIn ? (
                  <Badge color="green" text="Yes" />
                ) : (
                  <Badge color="darkgrey" text="No" />
                )}
              </td>
              <td className={styles.td}>
                <code>{settings?.serviceName || '—'}</code>
              </td>
              <td className={styles.td}>{settings?.tier || '—'}</td>
              <td className={styles.td}>
                {errors.length === 0 ? (
                  <span className={styles.secondary}>None</span>
                ) : (
                  <ul className={styles.errors}>
                    {errors.map((error, index) => (
                      <li key={`${error.annotation}-${index}`}>
                        {error.message}
                      </li>
                    ))}
                  </ul>
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
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
  }),
  th: css({
    textAlign: 'left',
    padding: theme.spacing(1),
    borderBottom: `1px solid ${theme.colors.border.medium}`,
    fontWeight: theme.typography.fontWeightMedium,
    whiteSpace: 'nowrap',
  }),
  tr: css({
    '&:hover': {
      background: theme.colors.action.hover,
    },
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
  errors: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
    color: theme.colors.error.text,
  }),
});
