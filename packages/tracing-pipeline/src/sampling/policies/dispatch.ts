import { z } from 'zod';
import type { Evaluate, TailPolicyKind } from './kind';

type AnyKind = TailPolicyKind<string, any>;

/**
 * A schema that dispatches on `type` to the kind's own schema. zod's discriminatedUnion only
 * takes plain objects and these have refinements; this also gives one clear error for an unknown
 * type instead of one per union branch.
 */
export function byType<T>(
  kinds: readonly AnyKind[],
): z.ZodType<T, z.ZodTypeDef, unknown> {
  const schemas = new Map(kinds.map(k => [k.type, k.schema]));
  const types = kinds.map(k => k.type).join(', ');
  return z.unknown().transform((value, ctx) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'must be an object',
      });
      return z.NEVER;
    }
    const type = (value as { type?: unknown }).type;
    const schema = typeof type === 'string' ? schemas.get(type) : undefined;
    if (!schema) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['type'],
        message: `must be one of ${types}`,
      });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue(issue);
      return z.NEVER;
    }
    return result.data as T;
  }) as unknown as z.ZodType<T, z.ZodTypeDef, unknown>;
}

/** The kind of each type, for compiling and rendering a validated policy. */
export function kindsByType(
  kinds: readonly AnyKind[],
): (type: string) => AnyKind {
  const byName = new Map(kinds.map(k => [k.type, k]));
  return type => {
    const kind = byName.get(type);
    if (!kind) throw new Error(`unknown tail policy type ${type}`);
    return kind;
  };
}

/** Flags every policy whose name repeats an earlier one's. */
export function uniqueNames(
  policies: ReadonlyArray<{ name: string }>,
  ctx: z.RefinementCtx,
  pathPrefix: (string | number)[],
) {
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    if (seen.has(p.name)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [...pathPrefix, i, 'name'],
        message: `duplicates the name "${p.name}"`,
      });
    }
    seen.add(p.name);
  });
}

/** A policy in the collector's config: `{name, type, <type>: body}` (no body: no key). */
export function collectorPolicy(
  kind: AnyKind,
  policy: { name: string; type: string },
): Record<string, unknown> {
  const body = kind.toCollector(policy);
  return {
    name: policy.name,
    type: policy.type,
    ...(body !== undefined && { [policy.type]: body }),
  };
}

export type { Evaluate };
