import { Config } from '@backstage/config';
import {
  SamplingValidationError,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import { z } from 'zod';

/*
 * How the plugin reads its config: each subtree once, with one zod schema, every problem
 * reported with its full key (`tracingHealth.coverage.retentionHours: must be ...`).
 */

/** Thrown for invalid config; `errors` has each problem with its full key. */
export class ConfigValidationError extends Error {
  constructor(readonly errors: SamplingValidationError[]) {
    super(errors.map(e => `${e.path}: ${e.message}`).join('; '));
    this.name = 'ConfigValidationError';
  }
}

// Backstage config values substituted from environment variables arrive as strings.
const numeric = (v: unknown) =>
  typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)
    ? Number(v)
    : v;

type PositiveOptions = { integer?: boolean; max?: number };

/**
 * A positive number (or integer), at most `max`, with a default for a missing key (undefined: the
 * caller derives one). The message names the rule and the value: `must be a positive integer of
 * at most 1440 (got 2000)`.
 */
export function positive(
  fallback: number,
  options?: PositiveOptions,
): z.ZodType<number, z.ZodTypeDef, unknown>;
export function positive(
  fallback: undefined,
  options?: PositiveOptions,
): z.ZodType<number | undefined, z.ZodTypeDef, unknown>;
export function positive(
  fallback: number | undefined,
  { integer = false, max }: PositiveOptions = {},
): z.ZodType<number | undefined, z.ZodTypeDef, unknown> {
  const rule = `must be ${
    integer ? 'a positive integer' : 'a positive number'
  }${max !== undefined ? ` of at most ${max}` : ''}`;
  return z.preprocess(numeric, z.unknown()).transform((value, ctx) => {
    if (value === undefined) return fallback;
    if (
      typeof value !== 'number' ||
      !(value > 0) ||
      (integer && !Number.isInteger(value)) ||
      (max !== undefined && value > max)
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `${rule} (got ${JSON.stringify(value)})`,
      });
      return z.NEVER;
    }
    return value;
  });
}

/** Validates `errors` as one ConfigValidationError (nothing when there are none). */
export function throwIfAny(errors: SamplingValidationError[]): void {
  if (errors.length > 0) throw new ConfigValidationError(errors);
}

/** The subtree at `key` (missing: `{}`) parsed with `schema`; throws naming every bad key. */
export function readConfig<T>(
  root: Config,
  key: string,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
): T {
  const result = validateWith(schema, root.getOptional(key) ?? {}, key);
  if (!result.success) throw new ConfigValidationError(result.errors);
  return result.value;
}
