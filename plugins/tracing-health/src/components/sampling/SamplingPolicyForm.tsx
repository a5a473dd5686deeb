import {
  EffectiveSamplingPolicyResponse,
  SamplingValidationError,
} from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { SamplingValidationFailedError, tracingHealthApiRef } from '../../api';
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

function splitErrors(errors: SamplingValidationError[]) {
  const byField: Record<string, string> = {};
  const other: SamplingValidationError[] = [];
  for (const error of errors) {
    const field = fieldOf(error.path);
    if (!field) {
      other.push(error);
    } else if (field === 'operations' && error.path !== 'policy.operations') {
      byField.operations = [
        byField.operations,
        `${error.path.slice(7)}: ${error.message}`,
      ]
        .filter(Boolean)
        .join('; ');
    } else {
      byField[field] = [byField[field], error.message]
        .filter(Boolean)
        .join('; ');
    }
  }
  return { byField, other };
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
  const [errors, setErrors] = useState<SamplingValidationError[]>([]);
  const [failure, setFailure] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [reasonTouched, setReasonTouched] = useState(false);

  const set =
    <K extends keyof PolicyFormState>(key: K) =>
    (value: PolicyFormState[K]) =>
      setState(s => ({ ...s, [key]: value }));
  const { byField, other } = splitErrors(errors);
  const reasonMissing = state.reason.trim() === '';
  const reasonError =
    byField.reason ??
    (reasonTouched && reasonMissing ? 'A reason is required' : undefined);

  const numberField = (
    key: keyof PolicyFormState,
    label: string,
    helper?: string,
  ) => (
    <TextField
      label={label}
      value={state[key] as string}
      onChange={e => set(key)(e.target.value as never)}
      error={!!byField[key]}
      helperText={byField[key] ?? helper}
      inputProps={{ inputMode: 'decimal', 'aria-label': label }}
      fullWidth
    />
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setReasonTouched(true);
    setFailure(undefined);
    const result = toPolicyPatch(state, props.response);
    if (result.errors) {
      setErrors(
        Object.entries(result.errors).map(([path, message]) => ({
          path,
          message,
        })),
      );
      return;
    }
    if (reasonMissing) return;
    setSaving(true);
    try {
      const saved = await api.updateSamplingPolicy(props.serviceName, {
        policy: result.patch as any,
        reason: state.reason.trim(),
      });
      setErrors([]);
      props.onSaved(saved);
    } catch (e) {
      if (e instanceof SamplingValidationFailedError) setErrors(e.errors);
      else setFailure((e as Error).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Edit sampling policy">
      {failure && <Alert severity="error">{failure}</Alert>}
      {other.length > 0 && (
        <Alert severity="error" data-testid="sampling-form-errors">
          {other.map(e => (
            <div key={`${e.path}:${e.message}`}>
              {e.path || 'request'}: {e.message}
            </div>
          ))}
        </Alert>
      )}
      <Grid container spacing={2}>
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
        {state.strategyType === 'probabilistic' && (
          <Grid item xs={12} sm={6}>
            {numberField('rate', 'Rate', 'Fraction of traces kept, 0 to 1')}
          </Grid>
        )}
        {state.strategyType === 'adaptive' && (
          <>
            <Grid item xs={12} sm={4}>
              {numberField('targetTracesPerSecond', 'Target traces/s')}
            </Grid>
            <Grid item xs={6} sm={4}>
              {numberField('minRate', 'Min rate')}
            </Grid>
            <Grid item xs={6} sm={4}>
              {numberField('maxRate', 'Max rate')}
            </Grid>
          </>
        )}
        {state.strategyType === 'rate-limiting' && (
          <Grid item xs={12} sm={6}>
            {numberField('tracesPerSecond', 'Traces/s')}
          </Grid>
        )}
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
          {state.keepSlow &&
            numberField('keepSlowerThanMs', 'Slower than (ms)')}
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
        <Grid item xs={12}>
          <TextField
            label="Reason"
            required
            value={state.reason}
            onChange={e => set('reason')(e.target.value)}
            onBlur={() => setReasonTouched(true)}
            error={!!reasonError}
            helperText={
              reasonError ?? 'Recorded in the history and the audit log'
            }
            fullWidth
            inputProps={{ 'aria-label': 'Reason' }}
          />
        </Grid>
      </Grid>
      <SamplingPreview
        serviceName={props.serviceName}
        patch={toPolicyPatch(state, props.response).patch as any}
      />
      <Box mt={2} display="flex" style={{ gap: 8 }}>
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={saving || reasonMissing}
        >
          Save policy
        </Button>
        <Button onClick={props.onCancel} disabled={saving}>
          Cancel
        </Button>
      </Box>
    </form>
  );
}
