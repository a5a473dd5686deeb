import {
  EffectiveSamplingPolicyResponse,
  SamplingValidationError,
} from '@internal/plugin-tracing-health-common';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid, { GridSize } from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { tracingHealthApiRef } from '../../api';
import { FormShell, FormTextField, ReasonField, useSubmitForm } from './form';
import { initialFormState, PolicyFormState, toPolicyPatch } from './policyForm';
import { SamplingPreview } from './SamplingPreview';

/** Field paths the form shows next to their input; other errors are listed above it. */
const FIELD_PATHS: Record<string, string> = {
  'policy.strategy.type': 'strategyType',
  'policy.strategy.rate': 'rate',
  'policy.strategy.targetTracesPerSecond': 'targetTracesPerSecond',
  'policy.strategy.minRate': 'minRate',
  'policy.strategy.maxRate': 'maxRate',
  'policy.strategy.tracesPerSecond': 'tracesPerSecond',
  'policy.samplingLocation': 'samplingLocation',
  'policy.alwaysKeep.keepSlowerThanMs': 'keepSlowerThanMs',
  reason: 'reason',
};

function fieldOf(path: string): string | undefined {
  if (path.startsWith('policy.operations')) return 'operations';
  return FIELD_PATHS[path];
}

/** The errors shown at their field, joined per field (an operation's rule names its index). */
function errorsByField(errors: SamplingValidationError[]) {
  const byField: Record<string, string> = {};
  for (const error of errors) {
    const field = fieldOf(error.path);
    if (!field) continue;
    const message =
      field === 'operations' && error.path !== 'policy.operations'
        ? `${error.path.slice(7)}: ${error.message}`
        : error.message;
    byField[field] = [byField[field], message].filter(Boolean).join('; ');
  }
  return byField;
}

/** Edits a service's stored policy; the backend validates, errors appear at their fields. */
export function SamplingPolicyForm(props: {
  serviceName: string;
  response: EffectiveSamplingPolicyResponse;
  onSaved(response: EffectiveSamplingPolicyResponse): void;
  onCancel(): void;
}) {
  const api = useApi(tracingHealthApiRef);
  const [state, setState] = useState<PolicyFormState>(() =>
    initialFormState(props.response),
  );
  const form = useSubmitForm();

  const set =
    <K extends keyof PolicyFormState>(key: K) =>
    (value: PolicyFormState[K]) =>
      setState(s => ({ ...s, [key]: value }));
  const byField = errorsByField(form.errors);

  const numberField = (
    key: keyof PolicyFormState,
    label: string,
    helper?: string,
    placement: { xs?: GridSize; sm?: GridSize } = {},
  ) => (
    <FormTextField
      {...placement}
      label={label}
      value={state[key] as string}
      onChange={value => set(key)(value as never)}
      error={byField[key]}
      hint={helper}
      decimal
    />
  );

  const submit = form.onSubmit(() => {
    const result = toPolicyPatch(state, props.response);
    return {
      reason: state.reason,
      validate: () =>
        result.errors &&
        Object.entries(result.errors).map(([path, message]) => ({
          path,
          message,
        })),
      send: () =>
        api.updateSamplingPolicy(props.serviceName, {
          policy: result.patch as any,
          reason: state.reason.trim(),
        }),
      onDone: props.onSaved,
    };
  });

  return (
    <FormShell
      title="Edit sampling policy"
      form={form}
      onSubmit={submit}
      fieldPaths={path => fieldOf(path) !== undefined}
      submitLabel="Save policy"
      disabled={state.reason.trim() === ''}
      onCancel={props.onCancel}
      after={
        <SamplingPreview
          serviceName={props.serviceName}
          patch={toPolicyPatch(state, props.response).patch as any}
        />
      }
    >
      <Grid item xs={12} sm={6}>
        <TextField
          select
          label="Strategy"
          value={state.strategyType}
          onChange={e =>
            set('strategyType')(
              e.target.value as PolicyFormState['strategyType'],
            )
          }
          error={!!byField.strategyType}
          helperText={byField.strategyType}
          fullWidth
        >
          <MenuItem value="probabilistic">Probabilistic</MenuItem>
          <MenuItem value="adaptive">Adaptive (target traces/s)</MenuItem>
          <MenuItem value="rate-limiting">Rate limiting</MenuItem>
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          select
          label="Sampled in"
          value={state.samplingLocation}
          onChange={e =>
            set('samplingLocation')(
              e.target.value as PolicyFormState['samplingLocation'],
            )
          }
          error={!!byField.samplingLocation}
          helperText={
            byField.samplingLocation ??
            'Pipeline: SDKs send everything and errors/slow traces are kept'
          }
          fullWidth
        >
          <MenuItem value="pipeline">The pipeline</MenuItem>
          <MenuItem value="sdk">The SDK (Jaeger remote sampling)</MenuItem>
        </TextField>
      </Grid>
      {state.strategyType === 'probabilistic' &&
        numberField('rate', 'Rate', 'Fraction of traces kept, 0 to 1', {
          xs: 12,
          sm: 6,
        })}
      {state.strategyType === 'adaptive' && (
        <>
          {numberField('targetTracesPerSecond', 'Target traces/s', undefined, {
            xs: 12,
            sm: 4,
          })}
          {numberField('minRate', 'Min rate', undefined, { xs: 6, sm: 4 })}
          {numberField('maxRate', 'Max rate', undefined, { xs: 6, sm: 4 })}
        </>
      )}
      {state.strategyType === 'rate-limiting' &&
        numberField('tracesPerSecond', 'Traces/s', undefined, {
          xs: 12,
          sm: 6,
        })}
      <Grid item xs={12} sm={6}>
        <FormControlLabel
          control={
            <Checkbox
              checked={state.keepErrors}
              onChange={e => set('keepErrors')(e.target.checked)}
            />
          }
          label="Always keep traces with errors"
        />
      </Grid>
      <Grid item xs={12} sm={6}>
        <FormControlLabel
          control={
            <Checkbox
              checked={state.keepSlow}
              onChange={e => set('keepSlow')(e.target.checked)}
            />
          }
          label="Always keep slow traces"
        />
        {state.keepSlow && numberField('keepSlowerThanMs', 'Slower than (ms)')}
      </Grid>
      <Grid item xs={12}>
        <TextField
          label="Per-operation rules (JSON)"
          value={state.operations}
          onChange={e => set('operations')(e.target.value)}
          error={!!byField.operations}
          helperText={
            byField.operations ??
            'e.g. [{"match":{"type":"span-name","name":"GET /health"},"rate":0}]; first match wins'
          }
          multiline
          minRows={2}
          fullWidth
          inputProps={{
            'aria-label': 'Per-operation rules (JSON)',
            spellCheck: false,
          }}
        />
      </Grid>
      <ReasonField
        xs={12}
        form={form}
        value={state.reason}
        onChange={set('reason')}
        error={byField.reason}
        hint="Recorded in the history and the audit log"
      />
    </FormShell>
  );
}
