import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { tracingHealthCheckRunPermission } from '@internal/plugin-tracing-health-common';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import { tracingHealthApiRef } from '../../api';

type RunState = 'idle' | 'sending' | 'requested' | 'failed';

const BUTTON_TEXT: Record<RunState, string> = {
  idle: 'Run now',
  sending: 'Run now',
  requested: 'Requested',
  failed: 'Failed: retry',
};

/** "Run now" for one check; shown only to those allowed `tracing-health.check.run`. */
export function RunCheckButton(props: {
  checkId: string;
  onRequested?: () => void;
}) {
  const api = useApi(tracingHealthApiRef);
  const { allowed, loading } = usePermission({
    permission: tracingHealthCheckRunPermission,
  });
  const [state, setState] = useState<RunState>('idle');
  const [error, setError] = useState<string>();
  if (loading || !allowed) return null;
  const run = async () => {
    setState('sending');
    try {
      await api.runCheck(props.checkId);
      setState('requested');
      props.onRequested?.();
    } catch (e) {
      setError((e as Error).message);
      setState('failed');
    }
  };
  return (
    <Button
      size="small"
      variant="outlined"
      disabled={state === 'sending'}
      onClick={run}
      title={state === 'failed' ? error : undefined}
    >
      {BUTTON_TEXT[state]}
    </Button>
  );
}
