import { usePermission } from '@backstage/plugin-permission-react';
import { tracingHealthSamplingBoostPermission } from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Countdown } from './Countdown';
import { FormErrors, useSubmitForm } from './form';
import {
  describeKept,
  describeWindow,
  formatCount,
  SamplingInsightsRequests,
  useSamplingInsights,
} from './insightsRequests';

/**
 * What the service's sampling did in the last hour (kept traces by rule, the spans its traces
 * cause in other services) and, for its owners, the boost: 100% for a bounded time.
 */
export function SamplingInsights(props: {
  serviceName: string;
  entityRef?: string;
  onChanged(): void;
}) {
  const insights = useSamplingInsights();
  return insights ? <InsightsBody {...props} insights={insights} /> : null;
}

function InsightsBody(props: {
  serviceName: string;
  entityRef?: string;
  onChanged(): void;
  insights: SamplingInsightsRequests;
}) {
  const { serviceName, insights } = props;
  const { allowed } = usePermission({
    permission: tracingHealthSamplingBoostPermission,
    resourceRef: props.entityRef,
  });
  const { value, retry } = useAsyncRetry(async () => {
    const [kept, downstream, boost] = await Promise.all([
      insights.kept(serviceName),
      insights.downstream(serviceName),
      insights.boost(serviceName),
    ]);
    return { kept, downstream, boost };
  }, [insights, serviceName]);
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const form = useSubmitForm();

  if (!value) return null;
  const requests = insights;
  const { kept, downstream, boost } = value;
  const others = downstream.items.filter(i => i.service !== serviceName);
  const canBoost = allowed && boost.allowed;

  const act = (send: () => Promise<unknown>, withReason?: string) =>
    form.run({
      reason: withReason,
      send,
      onDone: () => {
        setAsking(false);
        setReason('');
        retry();
        props.onChanged();
      },
    });

  return (
    <Box mt={2} data-testid="sampling-insights">
      <Typography variant="body2" data-testid="kept-by-rule">
        In {describeWindow(kept.windowSeconds)}: {describeKept(kept.byRule)} (of{' '}
        {formatCount(kept.traces)} traces it started).
      </Typography>
      {others.length > 0 && (
        <Typography variant="body2" data-testid="downstream-cost">
          Its traces cost{' '}
          {others
            .slice(0, 5)
            .map(
              i =>
                `${i.service} ${formatCount(
                  i.keptSpansPerMinute,
                )} spans/min kept (of ${formatCount(i.spansPerMinute)})`,
            )
            .join(', ')}
          .
        </Typography>
      )}
      {boost.boost && (
        <Alert severity="info" data-testid="boost-active">
          Boosted to 100% by {boost.boost.createdBy}: {boost.boost.reason} (
          <Countdown until={boost.boost.expiresAt} />
          ).
          {canBoost && (
            <Button
              size="small"
              disabled={form.busy}
              onClick={() =>
                act(() =>
                  requests.endBoost(serviceName, 'ended from the entity page'),
                )
              }
            >
              End boost
            </Button>
          )}
        </Alert>
      )}
      <FormErrors failure={form.failure} other={form.errors} />
      {canBoost && !boost.boost && !asking && (
        <Box mt={1}>
          <Button
            variant="outlined"
            color="secondary"
            onClick={() => setAsking(true)}
          >
            Boost to 100% for {formatCount(boost.defaultMinutes)} min
          </Button>
        </Box>
      )}
      {canBoost && asking && (
        <Box mt={1} display="flex" style={{ gap: 8 }} alignItems="center">
          <TextField
            label="Why boost"
            value={reason}
            onChange={e => setReason(e.target.value)}
            inputProps={{ 'aria-label': 'Why boost' }}
            size="small"
          />
          <Button
            variant="contained"
            color="secondary"
            disabled={form.busy || reason.trim() === ''}
            onClick={() =>
              act(() => requests.startBoost(serviceName, reason.trim()), reason)
            }
          >
            Start boost
          </Button>
          <Button onClick={() => setAsking(false)}>Cancel</Button>
        </Box>
      )}
    </Box>
  );
}
