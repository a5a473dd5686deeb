import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, BadgeColor, useStyles2 } from '@grafana/ui';
import type {
  CoverageState,
  FleetCoverageResponse,
} from '@internal/tracing-model';

import { formatPercent } from '../format';

export interface FleetCoverageProps {
  fleet: FleetCoverageResponse;
}

export const COVERAGE_STATE_COLORS: Record<CoverageState, BadgeColor> = {
  traced: 'green',
  silent: 'red',
  untraced: 'darkgrey',
  unregistered: 'orange',
};

/** Fleet coverage totals and the worst offenders, as the portal computes them. */
export const FleetCoverage = ({ fleet }: FleetCoverageProps) => {
  const styles = useStyles2(getStyles);
  const { totals } = fleet;
  const figures: Array<[label: string, value: string, detail?: string]> = [
    ['Components', String(totals.components)],
    [
      'Opted in',
      formatPercent(totals.optedInRatio),
      `${totals.optedIn} of ${totals.components}`,
    ],
    [
      'Opted in and emitting',
      formatPercent(totals.optedInEmittingRatio),
      `${totals.optedInEmitting} of ${totals.optedIn}`,
    ],
    [
      'Trace completeness',
      formatPercent(totals.completeness),
      `${totals.judgedTraces} traces judged over ${fleet.windowMinutes} min`,
    ],
  ];

  return (
    <div>
      <dl className={styles.figures} aria-label="Fleet coverage figures">
        {figures.map(([label, value, detail]) => (
          <div key={label} className={styles.figure}>
            <dt className={styles.label}>{label}</dt>
            <dd className={styles.value}>{value}</dd>
            {detail && <dd className={styles.detail}>{detail}</dd>}
          </div>
        ))}
      </dl>
      <div className={styles.states} aria-label="Components per coverage state">
        {(Object.keys(COVERAGE_STATE_COLORS) as CoverageState[]).map(state => (
          <Badge
            key={state}
            color={COVERAGE_STATE_COLORS[state]}
            text={`${state}: ${totals.states[state] ?? 0}`}
          />
        ))}
      </div>
      {totals.worstOffenders.length > 0 && (
        <table className={styles.table} aria-label="Worst offenders">
          <thead>
            <tr>
              {['Component', 'service.name', 'State', 'Why', 'Last seen'].map(
                column => (
                  <th key={column} scope="col" className={styles.th}>
                    {column}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {totals.worstOffenders.map(offender => (
              <tr key={offender.entityRef}>
                <td className={styles.td}>{offender.entityRef}</td>
                <td className={styles.td}>
                  <code>{offender.serviceName}</code>
                </td>
                <td className={styles.td}>
                  <Badge
                    color={COVERAGE_STATE_COLORS[offender.state]}
                    text={offender.state}
                  />
                </td>
                <td className={styles.td}>
                  {offender.reason === 'silent'
                    ? `silent for more than ${fleet.silentAfterMinutes} min`
                    : `completeness ${formatPercent(offender.completeness)}`}
                </td>
                <td className={styles.td}>{offender.lastSeen ?? 'never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  figures: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(4),
    margin: 0,
  }),
  figure: css({ margin: 0 }),
  label: css({ color: theme.colors.text.secondary }),
  value: css({ margin: 0, fontSize: theme.typography.h2.fontSize }),
  detail: css({
    margin: 0,
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  states: css({
    display: 'flex',
    gap: theme.spacing(1),
    margin: theme.spacing(2, 0),
  }),
  table: css({ width: '100%', borderCollapse: 'collapse' }),
  th: css({
    textAlign: 'left',
    padding: theme.spacing(1),
    borderBottom: `1px solid ${theme.colors.border.medium}`,
  }),
  td: css({
    padding: theme.spacing(1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
});
