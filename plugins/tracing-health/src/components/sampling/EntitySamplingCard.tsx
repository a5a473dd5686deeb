import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  parseTracingSettings,
  tracingHealthSamplingUpdatePermission,
} from '@internal/plugin-tracing-health-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { SamplingCard } from './SamplingCard';

/** Overrides expire and adaptive rates move: refresh now and then. */
const REFRESH_MS = 30_000;

/** The Sampling card of the current entity; the edit form only for those allowed to change it. */
export function EntitySamplingCard() {
  const { entity } = useEntity();
  const api = useApi(tracingHealthApiRef);
  const { serviceName } = parseTracingSettings(entity);
  const entityRef = stringifyEntityRef(entity);
  const { allowed: canEdit } = usePermission({
    permission: tracingHealthSamplingUpdatePermission,
    resourceRef: entityRef,
  });
  const { value, error, loading, retry } = useAsyncRetry(async () => {
    const [policy, history] = await Promise.all([
      api.getSamplingPolicy(serviceName),
      api.getSamplingHistory(serviceName, { limit: 50 }),
    ]);
    return { policy, history: history.items };
  }, [api, serviceName]);
  useInterval(retry, REFRESH_MS);

  if (value) {
    return (
      <SamplingCard
        serviceName={serviceName}
        entityRef={entityRef}
        response={value.policy}
        history={value.history}
        canEdit={canEdit}
        onChanged={retry}
      />
    );
  }
  return (
    <InfoCard title="Sampling">
      {error ? <ResponseErrorPanel error={error} /> : loading && <Progress />}
    </InfoCard>
  );
}
