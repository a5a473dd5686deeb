import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { formatRate } from '../coverage/format';
import { DependencyTable } from './DependencyTable';

const REFRESH_MS = 60_000;

/** The fleet's worst edges (broken propagation first) and its uninstrumented dependencies. */
export function FleetDependenciesSection() {
  const api = useApi(tracingHealthApiRef);
  const { value, error, loading, retry } = useAsyncRetry(
    async () => api.getFleetDependencies({ limit: 20 }),
    [api],
  );
  useInterval(retry, REFRESH_MS);
  if (!value) {
    if (error) return <ResponseErrorPanel error={error} />;
    return loading ? <Progress /> : null;
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={8}>
        <InfoCard
          title="Worst edges"
          subheader={`Broken propagation first, then errors; ${value.totalEdges} edges over the last ${value.windowMinutes} minutes`}
        >
          <DependencyTable
            edges={value.worstEdges}
            show="both"
            empty="No edge loses the trace or fails."
            testId="worst-edges"
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard
          title="Uninstrumented dependencies"
          subheader="Called by traced services, sending no spans themselves"
        >
          {value.uninstrumented.length === 0 ? (
            <Typography variant="body2">Every callee sends spans.</Typography>
          ) : (
            <List dense data-testid="uninstrumented">
              {value.uninstrumented.map(u => (
                <ListItem key={u.name} disableGutters>
                  <ListItemText
                    primary={
                      u.entityRef ? (
                        <EntityRefLink entityRef={u.entityRef} title={u.name} />
                      ) : (
                        u.name
                      )
                    }
                    secondary={`${formatRate(
                      u.requestsPerSecond,
                    )} from ${u.callers.join(', ')}${
                      u.entityRef ? ' · in the catalog, not traced' : ''
                    }`}
                  />
                </ListItem>
              ))}
            </List>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
