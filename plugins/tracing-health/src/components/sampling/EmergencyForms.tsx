import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { tracingHealthApiRef } from '../../api';
import { FormShell, FormTextField, ReasonField, useSubmitForm } from './form';

const numberOrText = (value: string): number | string => {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed))
    ? Number(trimmed)
    : trimmed;
};

/** Paths the emergency forms show at their field; other errors are listed above the form. */
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
  const form = useSubmitForm();
  const submit = form.onSubmit(() => ({
    reason,
    send: () =>
      api.createSamplingOverride({
        scope: scope.trim(),
        action,
        ...(action === 'cap-rate' && {
          maxRate: numberOrText(maxRate) as number,
        }),
        reason: reason.trim(),
        expiresInMinutes: numberOrText(minutes) as number,
      }),
    onDone: () => {
      setReason('');
      props.onDone();
    },
  }));
  return (
    <FormShell
      title="Start an emergency override"
      heading
      form={form}
      onSubmit={submit}
      fieldPaths={FIELDS}
      submitLabel="Start override"
      submitColor="secondary"
      disabled={reason.trim() === ''}
    >
      <FormTextField
        xs={12}
        sm={4}
        label="Scope"
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
        <FormTextField
          xs={12}
          sm={4}
          label="Max rate"
          value={maxRate}
          onChange={setMaxRate}
          error={form.errorOf('maxRate')}
          hint="0 to 1"
        />
      )}
      <ReasonField
        xs={12}
        sm={8}
        form={form}
        ariaLabel="Override reason"
        value={reason}
        onChange={setReason}
        error={form.errorOf('reason')}
        hint="Recorded in the audit log"
      />
      <FormTextField
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
  const form = useSubmitForm();
  const submit = form.onSubmit(() => ({
    reason,
    send: () =>
      api.enterSamplingMaintenance({
        ...(factor.trim() !== '' && { factor: numberOrText(factor) as number }),
        ...(maxRate.trim() !== '' && {
          maxRate: numberOrText(maxRate) as number,
        }),
        reason: reason.trim(),
        expiresInMinutes: numberOrText(minutes) as number,
      }),
    onDone: () => {
      setReason('');
      props.onDone();
    },
  }));
  return (
    <FormShell
      title="Enter maintenance mode"
      heading
      form={form}
      onSubmit={submit}
      fieldPaths={FIELDS}
      submitLabel="Enter maintenance"
      submitColor="secondary"
      disabled={reason.trim() === ''}
    >
      <FormTextField
        xs={6}
        sm={3}
        label="Factor"
        value={factor}
        onChange={setFactor}
        error={form.errorOf('factor')}
        hint="Rates × this"
      />
      <FormTextField
        xs={6}
        sm={3}
        label="Max rate"
        ariaLabel="Maintenance max rate"
        value={maxRate}
        onChange={setMaxRate}
        error={form.errorOf('maxRate')}
        hint="Optional cap"
      />
      <FormTextField
        xs={12}
        sm={6}
        label="Expires in (minutes)"
        ariaLabel="Maintenance expires in minutes"
        value={minutes}
        onChange={setMinutes}
        error={form.errorOf('expiresInMinutes')}
        hint="Rates are restored by themselves"
      />
      <ReasonField
        xs={12}
        form={form}
        ariaLabel="Maintenance reason"
        value={reason}
        onChange={setReason}
        error={form.errorOf('reason')}
        hint="Recorded in the audit log"
      />
    </FormShell>
  );
}
