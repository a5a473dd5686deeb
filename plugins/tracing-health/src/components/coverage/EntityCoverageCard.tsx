import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import {
  ChartWindowHours,
  defaultWindowHours,
  firstDataIndex,
} from './chartWindow';
import { CoverageCard } from './CoverageCard';

/** Rollups are written once a minute, so refreshing more often shows nothing new. */
const REFRESH_MS = 60_000;

/**
 * The Coverage card of the current entity, refreshed every minute. Its charts' window is the
 * user's pick, else the smallest of 1 h / 6 h / 24 h that holds the data the last day has.
 */
export function EntityCoverageCard(props: { hours?: ChartWindowHours }) {
  const { entity } = useEntity();
  const api = useApi(tracingHealthApiRef);
  const { namespace, kind, name } = getCompoundEntityRef(entity);
  const [chosen, setChosen] = useState<ChartWindowHours | undefined>(
    props.hours,
  );
  const [auto, setAuto] = useState<ChartWindowHours | undefined>();
  const hours = chosen ?? auto ?? 24;
  const { value, error, loading, retry } = useAsyncRetry(async () => {
    const response = await api.getEntityCoverage(
      { namespace, kind, name },
      { hours },
    );
    if (chosen === undefined && auto === undefined) {
      const first = firstDataIndex(response.series.points);
      const picked = defaultWindowHours(
        first < 0 ? undefined : Date.parse(response.series.points[first].time),
        Date.parse(response.series.to),
      );
      setAuto(picked);
      // Fetched again for the picked window (its steps are finer).
      if (picked !== hours) return undefined;
    }
    return response;
  }, [api, namespace, kind, name, hours]);
  useInterval(retry, REFRESH_MS);

  if (value)
    return (
      <CoverageCard response={value} hours={hours} onHoursChange={setChosen} />
    );
  return (
    <InfoCard title="Trace coverage">
      {error ? (
        <ResponseErrorPanel error={error} />
      ) : (
        (loading || !value) && <Progress />
      )}
    </InfoCard>
  );
}
