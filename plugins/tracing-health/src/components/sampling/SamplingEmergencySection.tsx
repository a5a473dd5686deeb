import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  SamplingMaintenance,
  SamplingOverride,
  tracingHealthEmergencyPermission,
} from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { Countdown } from './Countdown';
import { FormErrors, ReasonField, useSubmitForm } from './form';
import { MaintenanceForm, OverrideForm } from './EmergencyForms';
import { formatRate } from './format';
import { SamplingHistoryTable } from './SamplingHistoryTable';

const REFRESH_MS = 15_000;

/** Ends an override or maintenance early, asking why. */
function EndButton(props: {
  label: string;
  onEnd(reason: string): Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const form = useSubmitForm();
  const end = () =>
    form.run({
      reason,
      send: () => props.onEnd(reason.trim()),
      onDone: () => {
        setOpen(false);
        setReason('');
      },
    });
  return (
    <>
      <Button size="small" variant="outlined" onClick={() => setOpen(true)}>
        {props.label}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)}>
        <DialogTitle>{props.label}</DialogTitle>
        <DialogContent>
          <FormErrors failure={form.failure} other={form.errors} />
          <ReasonField
            form={form}
            ariaLabel="Reason for ending"
            value={reason}
            onChange={setReason}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button
            color="secondary"
            disabled={form.busy || reason.trim() === ''}
            onClick={end}
          >
            {props.label}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function describeOverride(o: SamplingOverride): string {
  const what =
    o.action === 'disable'
      ? 'Tracing disabled'
      : `Rates capped at ${formatRate(o.maxRate ?? 0)}`;
  return `${what} for ${o.scope === 'global' ? 'all services' : o.scope}`;
}

function describeMaintenance(m: SamplingMaintenance): string {
  const parts = [];
  if (m.factor !== undefined) parts.push(`rates × ${m.factor}`);
  if (m.maxRate !== undefined) parts.push(`at most ${formatRate(m.maxRate)}`);
  return `Maintenance mode: ${parts.join(', ')}`;
}

/**
 * The fleet page's sampling section: active emergency overrides and maintenance with the time
 * left, the controls to start and end them (admins only), and the global audit log.
 */
export function SamplingEmergencySection() {
  const api = useApi(tracingHealthApiRef);
  const { allowed: isAdmin } = usePermission({
    permission: tracingHealthEmergencyPermission,
  });
  const { value, error, loading, retry } = useAsyncRetry(async () => {
    const [overrides, maintenance, history] = await Promise.all([
      api.getSamplingOverrides(),
      api.getSamplingMaintenance(),
      api.getSamplingHistory(undefined, { limit: 100 }),
    ]);
    return {
      overrides: overrides.items,
      maintenance: maintenance.maintenance,
      history: history.items,
    };
  }, [api]);
  useInterval(retry, REFRESH_MS);

  if (!value) {
    return (
      <InfoCard title="Emergency sampling">
        {error ? <ResponseErrorPanel error={error} /> : loading && <Progress />}
      </InfoCard>
    );
  }

  const active = value.overrides.length > 0 || value.maintenance;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={isAdmin ? 6 : 12}>
        <InfoCard title="Emergency sampling">
          {!active && (
            <Typography data-testid="no-emergency">
              No override or maintenance window is active: every service runs
              its own policy.
            </Typography>
          )}
          <List dense aria-label="Active overrides">
            {value.maintenance && (
              <ListItem data-testid="active-maintenance">
                <ListItemText
                  primary={describeMaintenance(value.maintenance)}
                  secondary={
                    <>
                      {value.maintenance.startedBy}: “{value.maintenance.reason}
                      ” · <Countdown until={value.maintenance.expiresAt} />
                    </>
                  }
                />
                {isAdmin && (
                  <EndButton
                    label="Exit maintenance"
                    onEnd={async reason => {
                      await api.exitSamplingMaintenance(reason);
                      retry();
                    }}
                  />
                )}
              </ListItem>
            )}
            {value.overrides.map(o => (
              <ListItem key={o.id} data-testid="active-override">
                <ListItemText
                  primary={describeOverride(o)}
                  secondary={
                    <>
                      {o.createdBy}: “{o.reason}” ·{' '}
                      <Countdown until={o.expiresAt} />
                    </>
                  }
                />
                {isAdmin && (
                  <EndButton
                    label="End override"
                    onEnd={async reason => {
                      await api.deleteSamplingOverride(o.id, reason);
                      retry();
                    }}
                  />
                )}
              </ListItem>
            ))}
          </List>
          {!isAdmin && (
            <Typography variant="body2" color="textSecondary">
              Emergency overrides and maintenance mode are for the platform
              team.
            </Typography>
          )}
        </InfoCard>
      </Grid>
      {isAdmin && (
        <Grid item xs={12} md={6}>
          <InfoCard title="Emergency controls">
            <OverrideForm onDone={retry} />
            <Box mt={4}>
              {value.maintenance ? (
                <Typography>
                  Maintenance mode is on; exit it before starting another
                  window.
                </Typography>
              ) : (
                <MaintenanceForm onDone={retry} />
              )}
            </Box>
          </InfoCard>
        </Grid>
      )}
      <Grid item xs={12}>
        <SamplingHistoryTable
          title="Sampling audit log"
          items={value.history}
          showScope
        />
      </Grid>
    </Grid>
  );
}
