import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EntityDependenciesResponse } from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { formatRate } from '../coverage/format';
import { DependencyTable } from './DependencyTable';

/** Rollups are written once a minute. */
const REFRESH_MS = 60_000;

export function DependenciesContent(props: {
  response: EntityDependenciesResponse;
}) {
  const r = props.response;
  const virtualCallers = r.upstream.filter(e => e.virtual);
  const traced = r.upstream.filter(e => !e.virtual);
  return (
    <>
      {r.calledButNotTraced && (
        <Box mb={2}>
          <Alert severity="warning" data-testid="called-but-not-traced">
            {[...new Set(virtualCallers.map(e => e.client))].join(', ')} call
            this component (as{' '}
            {[...new Set(virtualCallers.map(e => e.server))].join(', ')}), but
            it sends no spans: it shows only as an uninstrumented dependency in
            their traces.
          </Alert>
        </Box>
      )}
      {r.orphanServerSpansPerSecond > 0 && (
        <Box mb={2}>
          <Alert severity="info" data-testid="orphan-server-spans">
            {formatRate(r.orphanServerSpansPerSecond)} server spans of{' '}
            {r.serviceName} have a remote parent that never arrived: a caller
            propagates the context but does not send its spans.
          </Alert>
        </Box>
      )}
      <Typography variant="subtitle2">Called by</Typography>
      <DependencyTable
        edges={[...traced, ...virtualCallers]}
        show="client"
        empty="No calls from other services in the window."
        testId="dependencies-upstream"
      />
      <Box mt={2}>
        <Typography variant="subtitle2">Calls</Typography>
        <DependencyTable
          edges={r.downstream}
          show="server"
          empty="No calls to other services in the window."
          testId="dependencies-downstream"
        />
      </Box>
    </>
  );
}

/**
 * The Dependencies card of the current entity: its callers and callees paired from spans before
 * sampling, with rate, errors, p95 and propagation health per edge; uninstrumented dependencies
 * marked "not traced", and a component that others call but that sends no spans told so.
 */
export function EntityDependenciesCard(props: {
  /** Renders nothing unless other services call the entity (for components not opted in). */
  onlyIfCalled?: boolean;
}) {
  const { entity } = useEntity();
  const api = useApi(tracingHealthApiRef);
  const { namespace, kind, name } = getCompoundEntityRef(entity);
  const { value, error, loading, retry } = useAsyncRetry(
    async () => api.getEntityDependencies({ namespace, kind, name }),
    [api, namespace, kind, name],
  );
  useInterval(retry, REFRESH_MS);
  if (props.onlyIfCalled && !value?.upstream.length) return null;
  return (
    <InfoCard
      title="Dependencies"
      subheader={
        value
          ? `Calls paired from spans before sampling, over the last ${value.windowMinutes} minutes`
          : undefined
      }
    >
      {value && <DependenciesContent response={value} />}
      {!value && error && <ResponseErrorPanel error={error} />}
      {!value && !error && loading && <Progress />}
    </InfoCard>
  );
}
