import { InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { CoverageCard } from './CoverageCard';

/** Rollups are written once a minute, so refreshing more often shows nothing new. */
const REFRESH_MS = 60_000;

/** The Coverage card of the current entity, refreshed every minute. */
export function EntityCoverageCard(props: { hours?: number }) {
  const { entity } = useEntity();
  const api = useApi(tracingHealthApiRef);
  const { namespace, kind, name } = getCompoundEntityRef(entity);
  const { value, error, loading, retry } = useAsyncRetry(
    () => api.getEntityCoverage({ namespace, kind, name }, { hours: props.hours }),
    [api, namespace, kind, name, props.hours],
  );
  useInterval(retry, REFRESH_MS);

  if (value) return <CoverageCard response={value} />;
  return (
    <InfoCard title="Trace coverage">
      {error ? <ResponseErrorPanel error={error} /> : loading && <Progress />}
    </InfoCard>
  );
}
