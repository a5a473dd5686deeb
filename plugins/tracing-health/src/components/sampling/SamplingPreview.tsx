import {
  SamplingPolicyPatch,
  SamplingPreviewResponse,
} from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { formatRate } from './format';
import {
  describeWindow,
  formatBytes,
  formatCount,
  useSamplingInsights,
} from './insightsRequests';

/** How long the form must be still before the preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 400;

const perSecond = (n: number) => `${formatCount(n)}/s`;

/**
 * What a policy being edited would keep, computed by the backend with the sampler's own
 * decision code over the last hour of this service's traffic (before sampling).
 */
export function SamplingPreview(props: {
  serviceName: string;
  /** The candidate patch; undefined while the form does not validate. */
  patch: SamplingPolicyPatch | undefined;
}) {
  const insights = useSamplingInsights();
  const [preview, setPreview] = useState<SamplingPreviewResponse>();
  const [failure, setFailure] = useState<string>();
  const key = props.patch ? JSON.stringify(props.patch) : undefined;

  useEffect(() => {
    if (!key || !insights) return undefined;
    let cancelled = false;
    const timer = setTimeout(() => {
      insights
        .preview(props.serviceName, JSON.parse(key))
        .then(p => {
          if (!cancelled) {
            setPreview(p);
            setFailure(undefined);
          }
        })
        .catch(e => !cancelled && setFailure(String(e?.message ?? e)));
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [insights, props.serviceName, key]);

  if (failure)
    return (
      <Alert severity="warning">The preview is not available: {failure}</Alert>
    );
  if (!preview) return null;
  const { candidate, current } = preview;
  const share = (v?: number) => (v === undefined ? 'none seen' : formatRate(v));
  return (
    <Box mt={2} data-testid="sampling-preview">
      <Typography variant="subtitle2">
        Preview ({describeWindow(preview.windowSeconds)},{' '}
        {formatCount(preview.traces)} traces before sampling)
      </Typography>
      {preview.traces === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No traffic from this service in the last hour: nothing to preview.
        </Typography>
      ) : (
        <Typography variant="body2" component="div">
          <div data-testid="preview-kept">
            Would keep{' '}
            <b
              data-testid="preview-kept-fraction"
              data-value={candidate.keptFraction}
            >
              {formatRate(candidate.keptFraction)}
            </b>{' '}
            of traces: {perSecond(candidate.tracesPerSecond)} traces,{' '}
            {perSecond(candidate.spansPerSecond)} spans,{' '}
            {formatBytes(candidate.bytesPerDay)}/day (now{' '}
            {formatRate(current.keptFraction)}:{' '}
            {perSecond(current.tracesPerSecond)} traces,{' '}
            {perSecond(current.spansPerSecond)} spans,{' '}
            {formatBytes(current.bytesPerDay)}/day).
          </div>
          <div>
            Errors kept: {share(candidate.errorShareKept)} (now{' '}
            {share(current.errorShareKept)}); slow traces (over{' '}
            {formatCount(preview.slowMs)} ms) kept:{' '}
            {share(candidate.slowShareKept)} (now {share(current.slowShareKept)}
            ).
          </div>
        </Typography>
      )}
      {preview.budget?.exceeded && (
        <Alert severity="warning" data-testid="preview-budget-warning">
          This change would take {preview.budget.owner} over its budget (
          {preview.budget.budget.spansPerSecond !== undefined &&
            `${perSecond(
              preview.budget.projectedSpansPerSecond,
            )} of ${perSecond(preview.budget.budget.spansPerSecond)} spans`}
          {preview.budget.budget.bytesPerDay !== undefined &&
            ` ${formatBytes(
              preview.budget.projectedBytesPerDay,
            )} of ${formatBytes(preview.budget.budget.bytesPerDay)}/day`}
          ).
        </Alert>
      )}
    </Box>
  );
}
