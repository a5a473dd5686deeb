import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { FleetCoverageTable } from './FleetCoverageTable';
import { FleetTotals } from './FleetTotals';
import { UnregisteredServices } from './UnregisteredServices';

const REFRESH_MS = 60_000;
const FIT_WIDTH = { maxWidth: '100%', minWidth: 0 };

/** Fleet coverage: totals, the table of components and the unregistered service names. */
export function FleetCoverageSection() {
  const api = useApi(tracingHealthApiRef);
  const { value, error, retry } = useAsyncRetry(
    () => api.getFleetCoverage(),
    [api],
  );
  useInterval(retry, REFRESH_MS);

  if (!value)
    return error ? <ResponseErrorPanel error={error} /> : <Progress />;
  // In a column the items would otherwise grow to the table's width and push the whole
  // section past the viewport; held to it, the table scrolls inside its own card.
  return (
    <Grid container spacing={3} direction="column">
      <Grid item style={FIT_WIDTH}>
        <FleetTotals fleet={value} />
      </Grid>
      <Grid item style={FIT_WIDTH}>
        <FleetCoverageTable items={value.items} />
      </Grid>
      <Grid item style={FIT_WIDTH}>
        <UnregisteredServices services={value.unregistered} />
      </Grid>
    </Grid>
  );
}
