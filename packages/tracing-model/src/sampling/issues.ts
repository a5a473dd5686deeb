import { z } from 'zod';

/** One problem with one field of a sampling policy, named by its path (`operations[2].rate`). */
export interface SamplingValidationError {
  path: string;
  message: string;
}

/** The outcome of validating untrusted input: the typed value, or every problem found. */
export type SamplingValidationResult<T> =
  | { success: true; value: T; errors?: undefined }
  | { success: false; value?: undefined; errors: SamplingValidationError[] };

/** `['operations', 2, 'rate']` → `operations[2].rate`; the empty path is `''`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/**
 * Flattens zod issues into path + message pairs. Unknown keys get one entry each, at their own
 * path, so a form can highlight the offending field; union failures report the branch that
 * matched the discriminator (zod already does) rather than every branch.
 */
export function zodIssuesToErrors(
  error: z.ZodError,
  prefix = '',
): SamplingValidationError[] {
  const errors: SamplingValidationError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({
          path: joinPath(prefix, formatPath([...issue.path, key])),
          message: 'is not a known field',
        });
      }
      continue;
    }
    if (
      issue.code === 'invalid_union' &&
      issue.message === 'Invalid input' &&
      issue.unionErrors.length > 0
    ) {
      // Without a message of its own, report the branch that got furthest (fewest issues)
      // rather than the noise of every branch.
      const best = [...issue.unionErrors].sort(
        (a, b) => a.issues.length - b.issues.length,
      )[0];
      errors.push(...zodIssuesToErrors(best, prefix));
      continue;
    }
    errors.push({
      path: joinPath(prefix, formatPath(issue.path)),
      message: issue.message,
    });
  }
  return errors;
}

/** Runs a schema and converts its result. */
export function validateWith<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  input: unknown,
  prefix = '',
): SamplingValidationResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, value: result.data };
  return { success: false, errors: zodIssuesToErrors(result.error, prefix) };
}
