import {
  GLOBAL_OVERRIDE_SCOPE,
  OwnerBudget,
  ownerBudgetSchema,
  SAMPLING_OVERRIDE_ACTIONS,
  SamplingOverrideAction,
  SamplingPolicyPatch,
  SamplingValidationError,
  SamplingValidationResult,
  validateSamplingPolicyPatch,
  validateWith,
} from '@internal/plugin-tracing-health-common';
import { z } from 'zod';

const MAX_REASON_LENGTH = 2000;

/** A reason is required for every change: it is what the audit log is read for. */
export const reasonSchema = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .trim()
  .min(1, 'is required')
  .max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);

/** The same rule as the `tracing-health/service-name` annotation. */
export const serviceNameSchema = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(
    /^[^\s\p{Cc}]+$/u,
    'must not contain whitespace or control characters',
  );

const rateSchema = (what = 'a number') =>
  z
    .number({
      required_error: 'is required',
      invalid_type_error: `must be ${what} between 0 and 1`,
    })
    .finite('must be a finite number')
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1');

const minutesSchema = (maxMinutes: number) =>
  z
    .number({
      required_error: 'is required',
      invalid_type_error: 'must be a number of minutes',
    })
    .finite('must be a finite number')
    .positive('must be a positive number of minutes')
    .max(maxMinutes, `must be at most ${maxMinutes} minutes`);

function fail<T>(
  errors: SamplingValidationError[],
): SamplingValidationResult<T> {
  return { success: false, errors };
}

function objectBody(body: unknown): Record<string, unknown> | undefined {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

export interface UpdatePolicyInput {
  policy: SamplingPolicyPatch;
  reason: string;
}

/** `{ policy, reason }` with every problem reported by path (`policy.strategy.rate`, `reason`). */
export function validateUpdatePolicyRequest(
  body: unknown,
): SamplingValidationResult<UpdatePolicyInput> {
  const object = objectBody(body);
  if (!object)
    return fail([
      { path: '', message: 'must be a JSON object with policy and reason' },
    ]);
  const errors: SamplingValidationError[] = [];
  let policy: SamplingPolicyPatch | undefined;
  if (object.policy === undefined) {
    errors.push({ path: 'policy', message: 'is required' });
  } else {
    const result = validateSamplingPolicyPatch(object.policy, 'policy');
    if (result.success) policy = result.value;
    else errors.push(...result.errors);
  }
  const reason = validateWith(reasonSchema, object.reason, 'reason');
  if (!reason.success) errors.push(...reason.errors);
  for (const key of Object.keys(object)) {
    if (key !== 'policy' && key !== 'reason')
      errors.push({ path: key, message: 'is not a known field' });
  }
  if (errors.length > 0 || !policy || !reason.success) return fail(errors);
  return { success: true, value: { policy, reason: reason.value } };
}

/** `{ reason }` from the body or the `reason` query parameter (DELETE requests). */
export function validateReason(
  body: unknown,
  query: unknown,
): SamplingValidationResult<string> {
  const fromBody = objectBody(body)?.reason;
  const fromQuery = objectBody(query)?.reason;
  return validateWith(reasonSchema, fromBody ?? fromQuery, 'reason');
}

export interface CreateOverrideInput {
  scope: string;
  action: SamplingOverrideAction;
  maxRate?: number;
  reason: string;
  expiresInMinutes: number;
}

export function validateCreateOverrideRequest(
  body: unknown,
  maxMinutes: number,
): SamplingValidationResult<CreateOverrideInput> {
  const schema = z
    .object({
      scope: z.union([z.literal(GLOBAL_OVERRIDE_SCOPE), serviceNameSchema], {
        errorMap: () => ({
          message: `must be "${GLOBAL_OVERRIDE_SCOPE}" or a service name`,
        }),
      }),
      action: z.enum(SAMPLING_OVERRIDE_ACTIONS, {
        errorMap: () => ({
          message: `must be one of ${SAMPLING_OVERRIDE_ACTIONS.join(', ')}`,
        }),
      }),
      maxRate: rateSchema().optional(),
      reason: reasonSchema,
      expiresInMinutes: minutesSchema(maxMinutes),
    })
    .strict()
    .superRefine((o, ctx) => {
      if (o.action === 'cap-rate' && o.maxRate === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxRate'],
          message: 'is required for cap-rate',
        });
      }
      if (o.action === 'disable' && o.maxRate !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxRate'],
          message: 'only applies to cap-rate',
        });
      }
    });
  return validateWith(schema, body ?? {});
}

export interface EnterMaintenanceInput {
  factor?: number;
  maxRate?: number;
  reason: string;
  expiresInMinutes: number;
}

export function validateEnterMaintenanceRequest(
  body: unknown,
  maxMinutes: number,
): SamplingValidationResult<EnterMaintenanceInput> {
  const schema = z
    .object({
      factor: rateSchema().optional(),
      maxRate: rateSchema().optional(),
      reason: reasonSchema,
      expiresInMinutes: minutesSchema(maxMinutes),
    })
    .strict()
    .superRefine((m, ctx) => {
      if (m.factor === undefined && m.maxRate === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['factor'],
          message: 'factor or maxRate is required',
        });
      }
    });
  return validateWith(schema, body ?? {});
}

/** `?limit=&before=` of the history endpoints. */
export function validateHistoryQuery(
  query: unknown,
): SamplingValidationResult<{ limit: number; beforeId?: number }> {
  const int = (max: number) =>
    z.coerce
      .number({ invalid_type_error: 'must be a positive integer' })
      .int('must be a positive integer')
      .positive('must be a positive integer')
      .max(max, `must be at most ${max}`);
  const schema = z.object({
    limit: int(1000).default(100),
    before: int(Number.MAX_SAFE_INTEGER).optional(),
  });
  const result = validateWith(schema, query ?? {});
  if (!result.success) return result;
  return {
    success: true,
    value: { limit: result.value.limit, beforeId: result.value.before },
  };
}

/** `PUT /budgets/:owner`: the budget fields and a reason (every problem of both). */
export function validateBudgetRequest(
  body: unknown,
): SamplingValidationResult<{ budget: OwnerBudget; reason: string }> {
  const { reason: _reason, ...rest } = (body ?? {}) as Record<string, unknown>;
  const reason = validateReason(body, undefined);
  const budget = ownerBudgetSchema.safeParse(rest);
  if (reason.success && budget.success)
    return {
      success: true,
      value: { budget: budget.data, reason: reason.value },
    };
  return {
    success: false,
    errors: [
      ...(reason.success ? [] : reason.errors),
      ...(budget.success
        ? []
        : budget.error.issues.map(i => ({
            path: i.path.join('.'),
            message: i.message,
          }))),
    ],
  };
}

/** A boost's `durationMinutes`: `defaultMinutes` when absent, else a number in (0, maxMinutes]. */
export function validateBoostMinutes(
  body: unknown,
  limits: { defaultMinutes: number; maxMinutes: number },
): SamplingValidationResult<number> {
  const minutes = objectBody(body)?.durationMinutes ?? limits.defaultMinutes;
  if (
    typeof minutes === 'number' &&
    minutes > 0 &&
    minutes <= limits.maxMinutes
  )
    return { success: true, value: minutes };
  return {
    success: false,
    errors: [
      {
        path: 'durationMinutes',
        message: `must be a number in (0, ${limits.maxMinutes}]`,
      },
    ],
  };
}
