import { SamplingValidationError } from '@internal/plugin-tracing-health-common';
import { FormEvent, useState } from 'react';
import { SamplingValidationFailedError } from '../../../api';

export const REASON_REQUIRED = 'A reason is required';

/** The paths a form shows next to their input: a list, or a test of the path. */
export type FieldPaths = readonly string[] | ((path: string) => boolean);

/** What one submit does: check in the browser, send, then say it is done. */
export interface SubmitOptions<T> {
  /** The reason as typed, when the form asks for one: a blank reason stops the submit. */
  reason?: string;
  /** Checks before sending; errors returned stop the submit and show like the backend's. */
  validate?(): SamplingValidationError[] | undefined;
  /** The request. A `SamplingValidationFailedError` shows its errors at their fields. */
  send(): Promise<T>;
  /** After the backend accepted the request. */
  onDone?(result: T): void;
}

export interface SubmitForm {
  /** Runs a submit: pending while it runs, its failure or per-field errors afterwards. */
  run<T>(options: SubmitOptions<T>): Promise<void>;
  /** An `onSubmit` handler for a `<form>` that runs `options` (read at submit time). */
  onSubmit<T>(options: () => SubmitOptions<T>): (event: FormEvent) => void;
  /** True while a request is in flight. */
  busy: boolean;
  /** The last failure that is not a validation error (network, permission, ...). */
  failure?: string;
  /** The last validation errors, from the browser check or the backend. */
  errors: SamplingValidationError[];
  /** The messages for one path, joined; undefined when it has none. */
  errorOf(path: string): string | undefined;
  /** The errors not shown at a field (listed above the form): `atField` is a list of paths or a test. */
  otherErrors(atField: FieldPaths): SamplingValidationError[];
  /** Marks the reason field as visited: a blank reason is now flagged. */
  touchReason(): void;
  /** The reason field's error: the backend's, else "required" once visited and blank. */
  reasonError(reason: string, serverError?: string): string | undefined;
}

/**
 * The one submit engine of the portal's forms: pending state, a required reason, the browser's
 * own checks, the request, and its failure or per-field validation errors.
 */
export function useSubmitForm(): SubmitForm {
  const [errors, setErrors] = useState<SamplingValidationError[]>([]);
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [reasonTouched, setReasonTouched] = useState(false);

  async function run<T>(options: SubmitOptions<T>): Promise<void> {
    setFailure(undefined);
    if (options.reason !== undefined) setReasonTouched(true);
    const invalid = options.validate?.();
    if (invalid && invalid.length > 0) {
      setErrors(invalid);
      return;
    }
    if (options.reason !== undefined && options.reason.trim() === '') return;
    setBusy(true);
    try {
      const result = await options.send();
      setErrors([]);
      // A form that stays open starts over: its cleared reason is not flagged yet.
      setReasonTouched(false);
      options.onDone?.(result);
    } catch (e) {
      if (e instanceof SamplingValidationFailedError) setErrors(e.errors);
      else setFailure((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const errorOf = (path: string) =>
    errors
      .filter(e => e.path === path)
      .map(e => e.message)
      .join('; ') || undefined;

  return {
    run,
    onSubmit: options => event => {
      event.preventDefault();
      void run(options());
    },
    busy,
    failure,
    errors,
    errorOf,
    otherErrors: atField => {
      const shown =
        typeof atField === 'function'
          ? atField
          : (path: string) => atField.includes(path);
      return errors.filter(e => !shown(e.path));
    },
    touchReason: () => setReasonTouched(true),
    reasonError: (reason, serverError) =>
      serverError ??
      (reasonTouched && reason.trim() === '' ? REASON_REQUIRED : undefined),
  };
}
