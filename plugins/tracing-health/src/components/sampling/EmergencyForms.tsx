import { useApi } from '@backstage/core-plugin-api';
import { SamplingValidationError } from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid, { GridSize } from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, ReactNode, useState } from 'react';
import { SamplingValidationFailedError, tracingHealthApiRef } from '../../api';

const numberOrText = (value: string): number | string => {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed))
    ? Number(trimmed)
    : trimmed;
};

/** Submits, then shows the backend's per-field errors at their fields. */
function useEmergencySubmit(send: () => Promise<unknown>, onDone: () => void) {
  const [errors, setErrors] = useState<SamplingValidationError[]>([]);
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      await send();
      setErrors([]);
      onDone();
    } catch (e) {
      if (e instanceof SamplingValidationFailedError) setErrors(e.errors);
      else setFailure((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const errorOf = (path: string) =>
    errors
      .filter(e => e.path === path)
      .map(e => e.message)
      .join('; ') || undefined;
  const known = (paths: string[]) =>
    errors.filter(e => !paths.includes(e.path));
  return { submit, errorOf, known, failure, busy };
}

function FormShell(props: {
  title: string;
  onSubmit(e: FormEvent): void;
  failure?: string;
  otherErrors: SamplingValidationError[];
  submitLabel: string;
  disabled: boolean;
  children: ReactNode;
}) {
  return (
    <form onSubmit={props.onSubmit} noValidate aria-label={props.title}>
      <Typography variant="subtitle1" gutterBottom>
        {props.title}
      </Typography>
      {props.failure && <Alert severity="error">{props.failure}</Alert>}
      {props.otherErrors.length > 0 && (
        <Alert severity="error">
          {props.otherErrors.map(e => (
            <div key={`${e.path}:${e.message}`}>
              {e.path || 'request'}: {e.message}
            </div>
          ))}
        </Alert>
      )}
      <Grid container spacing={2}>
        {props.children}
      </Grid>
      <Box mt={2}>
        <Button
          type="submit"
          variant="contained"
          color="secondary"
          disabled={props.disabled}
        >
          {props.submitLabel}
        </Button>
      </Box>
    </form>
  );
}

/** A text field in the form grid showing the backend's error for its field, else a hint. */
function FieldInput(props: {
  xs: GridSize;
  sm?: GridSize;
  label: string;
  ariaLabel: string;
  required?: boolean;
  value: string;
  onChange(value: string): void;
  error?: string;
  hint: string;
}) {
  return (
    <Grid item xs={props.xs} sm={props.sm}>
      <TextField
        label={props.label}
        required={props.required}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
        error={!!props.error}
        helperText={props.error ?? props.hint}
        fullWidth
        inputProps={{ 'aria-label': props.ariaLabel }}
      />
    </Grid>
  );
}

const FIELDS = [
  'scope',
  'action',
  'maxRate',
  'reason',
  'expiresInMinutes',
  'factor',
];

/** Starts an emergency override: cap every rate, or disable tracing, for a while. */
export function OverrideForm(props: { onDone(): void }) {
  const api = useApi(tracingHealthApiRef);
  const [scope, setScope] = useState('global');
  const [action, setAction] = useState<'cap-rate' | 'disable'>('cap-rate');
  const [maxRate, setMaxRate] = useState('0.01');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('60');
  const form = useEmergencySubmit(
    () =>
      api.createSamplingOverride({
        scope: scope.trim(),
        action,
        ...(action === 'cap-rate' && {
          maxRate: numberOrText(maxRate) as number,
        }),
        reason: reason.trim(),
        expiresInMinutes: numberOrText(minutes) as number,
      }),
    () => {
      setReason('');
      props.onDone();
    },
  );
  return (
    <FormShell
      title="Start an emergency override"
      onSubmit={form.submit}
      failure={form.failure}
      otherErrors={form.known(FIELDS)}
      submitLabel="Start override"
      disabled={form.busy || reason.trim() === ''}
    >
      <FieldInput
        xs={12}
        sm={4}
        label="Scope"
        ariaLabel="Scope"
        value={scope}
        onChange={setScope}
        error={form.errorOf('scope')}
        hint='"global" or a service.name'
      />
      <Grid item xs={12} sm={4}>
        <TextField
          select
          label="Action"
          value={action}
          onChange={e => setAction(e.target.value as 'cap-rate' | 'disable')}
          fullWidth
        >
          <MenuItem value="cap-rate">Cap every rate</MenuItem>
          <MenuItem value="disable">Disable tracing</MenuItem>
        </TextField>
      </Grid>
      {action === 'cap-rate' && (
        <FieldInput
          xs={12}
          sm={4}
          label="Max rate"
          ariaLabel="Max rate"
          value={maxRate}
          onChange={setMaxRate}
          error={form.errorOf('maxRate')}
          hint="0 to 1"
        />
      )}
      <FieldInput
        xs={12}
        sm={8}
        label="Reason"
        ariaLabel="Override reason"
        required
        value={reason}
        onChange={setReason}
        error={form.errorOf('reason')}
        hint="Recorded in the audit log"
      />
      <FieldInput
        xs={12}
        sm={4}
        label="Expires in (minutes)"
        ariaLabel="Override expires in minutes"
        value={minutes}
        onChange={setMinutes}
        error={form.errorOf('expiresInMinutes')}
        hint="Reverts by itself"
      />
    </FormShell>
  );
}

/** Enters maintenance mode: every rate multiplied by a factor and capped, for a while. */
export function MaintenanceForm(props: { onDone(): void }) {
  const api = useApi(tracingHealthApiRef);
  const [factor, setFactor] = useState('0.1');
  const [maxRate, setMaxRate] = useState('');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('120');
  const form = useEmergencySubmit(
    () =>
      api.enterSamplingMaintenance({
        ...(factor.trim() !== '' && { factor: numberOrText(factor) as number }),
        ...(maxRate.trim() !== '' && {
          maxRate: numberOrText(maxRate) as number,
        }),
        reason: reason.trim(),
        expiresInMinutes: numberOrText(minutes) as number,
      }),
    () => {
      setReason('');
      props.onDone();
    },
  );
  return (
    <FormShell
      title="Enter maintenance mode"
      onSubmit={form.submit}
      failure={form.failure}
      otherErrors={form.known(FIELDS)}
      submitLabel="Enter maintenance"
      disabled={form.busy || reason.trim() === ''}
    >
      <FieldInput
        xs={6}
        sm={3}
        label="Factor"
        ariaLabel="Factor"
        value={factor}
        onChange={setFactor}
        error={form.errorOf('factor')}
        hint="Rates × this"
      />
      <FieldInput
        xs={6}
        sm={3}
        label="Max rate"
        ariaLabel="Maintenance max rate"
        value={maxRate}
        onChange={setMaxRate}
        error={form.errorOf('maxRate')}
        hint="Optional cap"
      />
      <FieldInput
        xs={12}
        sm={6}
        label="Expires in (minutes)"
        ariaLabel="Maintenance expires in minutes"
        value={minutes}
        onChange={setMinutes}
        error={form.errorOf('expiresInMinutes')}
        hint="Rates are restored by themselves"
      />
      <FieldInput
        xs={12}
        label="Reason"
        ariaLabel="Maintenance reason"
        required
        value={reason}
        onChange={setReason}
        error={form.errorOf('reason')}
        hint="Recorded in the audit log"
      />
    </FormShell>
  );
}
