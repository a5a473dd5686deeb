import { InfoCard } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  COVERAGE_STATES,
  FleetCoverageResponse,
} from '@internal/plugin-tracing-health-common';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { CoverageStateBadge } from '../coverage/CoverageStateBadge';
import { formatAgo, formatPercent } from '../coverage/format';

function Total(props: {
  label: string;
  value: string;
  detail?: string;
  testId: string;
}) {
  return (
    <Grid item xs={12} sm={6} md={3}>
      <InfoCard noPadding>
        <div style={{ padding: 16 }} data-testid={props.testId}>
          <Typography variant="caption" color="textSecondary" component="div">
            {props.label}
          </Typography>
          <Typography variant="h4" component="div">
            {props.value}
          </Typography>
          {props.detail && (
            <Typography variant="body2" color="textSecondary">
              {props.detail}
            </Typography>
          )}
        </div>
      </InfoCard>
    </Grid>
  );
}

/** The fleet figures: opt-in and emitting shares, completeness, states, worst offenders. */
export function FleetTotals(props: { fleet: FleetCoverageResponse }) {
  const { totals, windowMinutes } = props.fleet;
  return (
    <Grid container spacing={2}>
      <Total
        testId="fleet-total-opted-in"
        label="Services opted in"
        value={formatPercent(totals.optedInRatio)}
        detail={`${totals.optedIn} of ${totals.components} components`}
      />
      <Total
        testId="fleet-total-emitting"
        label="Opted-in services emitting"
        value={formatPercent(totals.optedInEmittingRatio)}
        detail={`${totals.optedInEmitting} of ${totals.optedIn} opted in`}
      />
      <Total
        testId="fleet-total-completeness"
        label="Trace completeness"
        value={formatPercent(totals.completeness)}
        detail={`${totals.judgedTraces} traces over ${windowMinutes} min`}
      />
      <Total
        testId="fleet-total-states"
        label="By state"
        value={String(totals.components + totals.states.unregistered)}
        detail={COVERAGE_STATES.map(s => `${totals.states[s]} ${s}`).join(
          ' · ',
        )}
      />
      {totals.worstOffenders.length > 0 && (
        <Grid item xs={12}>
          <InfoCard
            title="Worst offenders"
            subheader="Silent services first, then the least complete traces"
          >
            <List dense data-testid="fleet-worst-offenders">
              {totals.worstOffenders.map(o => (
                <ListItem key={o.entityRef}>
                  <ListItemText
                    primary={<EntityRefLink entityRef={o.entityRef} />}
                    secondary={
                      o.reason === 'silent'
                        ? `silent, last span ${formatAgo(o.lastSeen)}`
                        : `${formatPercent(o.completeness)} of traces complete`
                    }
                  />
                  <CoverageStateBadge state={o.state} />
                </ListItem>
              ))}
            </List>
          </InfoCard>
        </Grid>
      )}
    </Grid>
  );
}
