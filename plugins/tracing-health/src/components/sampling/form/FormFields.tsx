import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid, { GridSize } from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, ReactNode } from 'react';
import { SamplingValidationError } from '@internal/plugin-tracing-health-common';
import { FieldPaths, SubmitForm } from './useSubmitForm';

/** The failure of the last submit, and the errors that belong to no field of the form. */
export function FormErrors(props: {
  failure?: string;
  other: SamplingValidationError[];
}) {
  return (
    <>
      {props.failure && <Alert severity="error">{props.failure}</Alert>}
      {props.other.length > 0 && (
        <Alert severity="error" data-testid="sampling-form-errors">
          {props.other.map(e => (
            <div key={`${e.path}:${e.message}`}>
              {e.path || 'request'}: {e.message}
            </div>
          ))}
        </Alert>
      )}
    </>
  );
}

/** Where a field sits in the form grid; without `xs` the field is not wrapped in a grid item. */
interface Placement {
  xs?: GridSize;
  sm?: GridSize;
}

function placed(placement: Placement, field: ReactNode) {
  if (placement.xs === undefined) return field;
  return (
    <Grid item xs={placement.xs} sm={placement.sm}>
      {field}
    </Grid>
  );
}

/** A text field showing its error when it has one, else a hint. Numbers are typed as text. */
export function FormTextField(
  props: Placement & {
    label: string;
    /** Defaults to the label. */
    ariaLabel?: string;
    required?: boolean;
    /** A number: the decimal keyboard on phones. */
    decimal?: boolean;
    value: string;
    onChange(value: string): void;
    onBlur?(): void;
    error?: string;
    hint?: string;
  },
) {
  return placed(
    props,
    <TextField
      label={props.label}
      required={props.required}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      onBlur={props.onBlur}
      error={!!props.error}
      helperText={props.error ?? props.hint}
      fullWidth
      inputProps={{
        'aria-label': props.ariaLabel ?? props.label,
        ...(props.decimal && { inputMode: 'decimal' }),
      }}
    />,
  );
}

/** The reason every change asks for: required, flagged once visited and blank. */
export function ReasonField(
  props: Placement & {
    form: SubmitForm;
    value: string;
    onChange(value: string): void;
    ariaLabel?: string;
    /** The backend's error for the reason, shown first. */
    error?: string;
    hint?: string;
  },
) {
  return (
    <FormTextField
      xs={props.xs}
      sm={props.sm}
      label="Reason"
      ariaLabel={props.ariaLabel ?? 'Reason'}
      required
      value={props.value}
      onChange={props.onChange}
      onBlur={props.form.touchReason}
      error={props.form.reasonError(props.value, props.error)}
      hint={props.hint}
    />
  );
}

/**
 * A form of the portal: its errors above, its fields in a grid, then what comes after them
 * (a preview) and the submit (and cancel) buttons, disabled while it runs.
 */
export function FormShell(props: {
  /** The form's accessible name; also its heading when `heading` is set. */
  title: string;
  heading?: boolean;
  form: SubmitForm;
  onSubmit(event: FormEvent): void;
  /** Paths shown at a field; any other error is listed above the form. */
  fieldPaths: FieldPaths;
  submitLabel: string;
  submitColor?: 'primary' | 'secondary';
  /** Disabled besides while busy (e.g. no reason yet). */
  disabled?: boolean;
  onCancel?(): void;
  after?: ReactNode;
  children: ReactNode;
}) {
  const { form } = props;
  return (
    <form onSubmit={props.onSubmit} noValidate aria-label={props.title}>
      {props.heading && (
        <Typography variant="subtitle1" gutterBottom>
          {props.title}
        </Typography>
      )}
      <FormErrors
        failure={form.failure}
        other={form.otherErrors(props.fieldPaths)}
      />
      <Grid container spacing={2}>
        {props.children}
      </Grid>
      {props.after}
      <Box mt={2} display="flex" style={{ gap: 8 }}>
        <Button
          type="submit"
          variant="contained"
          color={props.submitColor ?? 'primary'}
          disabled={form.busy || !!props.disabled}
        >
          {props.submitLabel}
        </Button>
        {props.onCancel && (
          <Button onClick={props.onCancel} disabled={form.busy}>
            Cancel
          </Button>
        )}
      </Box>
    </form>
  );
}
