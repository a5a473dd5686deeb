import {
  type SamplingValidationResult,
  validateWith,
} from '@internal/tracing-model';
import { z } from 'zod';
import { and } from './and';
import { composite } from './composite';
import { byType, collectorPolicy, kindsByType, uniqueNames } from './dispatch';
import {
  type Evaluate,
  type PolicyOf,
  type TailPolicyContext,
  type TailPolicyKind,
  WHOLE_FLEET,
} from './kind';
import { TAIL_LEAF_POLICY_KINDS, type TailLeafPolicy } from './leaves';

/*
 * Tail-sampling policies: decided on a whole buffered trace. Names and semantics follow the
 * OpenTelemetry Collector's `tail_sampling` processor (so the control plane can render them as
 * collector config), with camelCase fields. A trace is kept when ANY top-level policy keeps it.
 * One file per kind; the leaf kinds are listed in `leaves.ts`.
 */

export * from './kind';
export {
  TAIL_LEAF_POLICY_KINDS,
  TAIL_LEAF_POLICY_TYPES,
  tailLeafPolicySchema,
  type TailLeafPolicy,
} from './leaves';
export { STATUS_CODE_NAMES } from './status_code';

/** Policies that combine leaf policies. */
export const TAIL_COMBINATOR_POLICY_KINDS = [and, composite] as const;

export const TAIL_POLICY_KINDS = [
  ...TAIL_LEAF_POLICY_KINDS,
  ...TAIL_COMBINATOR_POLICY_KINDS,
] as const;

export type TailAndPolicy = PolicyOf<typeof and>;
export type TailCompositePolicy = PolicyOf<typeof composite>;
export type TailPolicy = TailLeafPolicy | TailAndPolicy | TailCompositePolicy;

export const TAIL_POLICY_TYPES = TAIL_POLICY_KINDS.map(
  k => k.type,
) as ReadonlyArray<TailPolicy['type']>;

export const tailPolicySchema = byType<TailPolicy>(TAIL_POLICY_KINDS);

export const tailPoliciesSchema = z
  .array(tailPolicySchema, { invalid_type_error: 'must be a list of policies' })
  .max(100, 'must have at most 100 policies')
  .superRefine((policies, ctx) => uniqueNames(policies, ctx, []));

/** Validates a list of tail policies; never throws. */
export function validateTailPolicies(
  input: unknown,
  prefix = '',
): SamplingValidationResult<TailPolicy[]> {
  return validateWith(tailPoliciesSchema, input, prefix);
}

const kindOf = kindsByType(TAIL_POLICY_KINDS);

/** A fresh evaluator of a validated tail policy. */
export function compileTailPolicyEvaluate(
  policy: TailPolicy,
  context: TailPolicyContext = WHOLE_FLEET,
): Evaluate {
  return kindOf(policy.type).compile(policy, context);
}

/** A validated tail policy in the collector's own (snake_case) `tail_sampling` format. */
export function tailPolicyToCollector(
  policy: TailPolicy,
): Record<string, unknown> {
  return collectorPolicy(kindOf(policy.type), policy);
}

const pascal = (type: string) =>
  type.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

const objectType = (kind: TailPolicyKind) =>
  [
    '{',
    ...[
      `name: string;`,
      `type: '${kind.type}';`,
      ...(kind.configDoc ? kind.configDoc.split('\n') : []),
    ].map(line => `  ${line}`),
    '}',
  ].join('\n');

const jsDoc = (kind: TailPolicyKind) => `/** ${kind.description} */`;

/**
 * The TypeScript declarations of `tracingHealth.sampling.tail.policies` in the backend's
 * `config.d.ts`, from each kind's `configDoc` (written there by the backend's
 * `yarn generate:config-docs`; a backend test fails when they differ).
 */
export function renderTailPolicyConfigDocs(): string {
  const alias = (k: TailPolicyKind) => `Tail${pascal(k.type)}PolicyConfig`;
  const union = (names: string[]) => names.map(n => `  | ${n}`).join('\n');
  return [
    ...TAIL_POLICY_KINDS.map(
      k => `${jsDoc(k)}\ntype ${alias(k)} = ${objectType(k)};`,
    ),
    '/** A leaf tail policy (one kind per file in packages/tracing-pipeline/src/sampling/policies). */',
    `type TailLeafPolicyConfig =\n${union(TAIL_LEAF_POLICY_KINDS.map(alias))};`,
    '/** A tail policy: a trace is kept when any top-level policy keeps it. */',
    `type TailPolicyConfig =\n${union([
      'TailLeafPolicyConfig',
      ...TAIL_COMBINATOR_POLICY_KINDS.map(alias),
    ])};`,
  ].join('\n');
}
