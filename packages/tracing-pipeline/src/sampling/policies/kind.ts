import { z } from 'zod';
import type { Threshold } from '../consistent';
import type { TraceView } from '../traceData';

/** One policy's verdict on a trace. */
export interface Verdict {
  sampled: boolean;
  /**
   * For kept traces: the `ot=th` to write (probabilistic verdicts), null to erase `th` (any
   * other reason to keep), undefined to leave tracestates alone.
   */
  threshold?: Threshold | null;
  /** A finer label than the evaluator's name (e.g. the head strategy that decided). */
  policy?: string;
  /**
   * For kept traces: the rule label written on the root span (`error`, `rate`, ...); default
   * `policy:<evaluator name>`. See `SAMPLING_SPAN_ATTRIBUTES` in -common.
   */
  rule?: string;
  /**
   * For kept traces: the probability written on the root span; default the threshold's, 1 when
   * kept for another reason; null: no fixed rate (not written).
   */
  rate?: number | null;
  /** The service whose policy decided, for the kept-traces counter; default the root's. */
  service?: string;
}

/** Anything that can decide a buffered trace: a tail policy, the head sampler, always-keep. */
export interface TraceEvaluator {
  /** The `policy` label of decisions it makes (unless the verdict names one). */
  readonly name: string;
  /** The `sampler` label of decisions it makes. */
  readonly sampler: 'head' | 'tail';
  evaluate(trace: TraceView, nowMs: number): Verdict;
}

/** A compiled policy: decides one trace (stateful policies, e.g. rate limits, keep their state). */
export type Evaluate = (trace: TraceView, nowMs: number) => Verdict;

/** What a policy is compiled for. */
export interface TailPolicyContext {
  /**
   * The share of the fleet's traces the deciding sampler owns (`1 / owners`: portal replicas ×
   * worker threads, each owning its traces by trace id). Per-second limits are the fleet's: each
   * owner applies this share of them.
   */
  share(): number;
}

/** One owner alone: limits apply whole. */
export const WHOLE_FLEET: TailPolicyContext = { share: () => 1 };

export const NOT_SAMPLED: Verdict = Object.freeze({ sampled: false });
export const SAMPLED: Verdict = Object.freeze({
  sampled: true,
  threshold: null,
});

/**
 * One kind of tail policy, in one file (`policies/<type>.ts`): its validated configuration, how
 * it decides a trace, how the OpenTelemetry Collector's `tail_sampling` processor spells it, and
 * its entry in the backend's `config.d.ts`. Everything else (the zod union, the compile and render
 * dispatch, the config docs) is derived from the list in `policies/index.ts`.
 */
export interface TailPolicyKind<
  Type extends string = string,
  Policy extends { name: string; type: Type } = { name: string; type: Type },
> {
  readonly type: Type;
  /** The policy's configuration (camelCase fields), with `name` and `type: <Type>`. */
  readonly schema: z.ZodType<Policy, z.ZodTypeDef, unknown>;
  /** A fresh evaluator (called again whenever policies are replaced). */
  compile(policy: Policy, context: TailPolicyContext): Evaluate;
  /**
   * The body under the policy's type in the collector's snake_case config (`status_code:
   * {status_codes: [...]}`), or undefined for a policy without one (`always_sample`).
   */
  toCollector(policy: Policy): Record<string, unknown> | undefined;
  /** What it keeps, in one sentence (its JSDoc in `config.d.ts`). */
  readonly description: string;
  /**
   * Its fields as TypeScript declarations for `config.d.ts`, with their JSDoc (`name` and `type`
   * are added). May refer to `TailLeafPolicyConfig` (any leaf policy) and `TailAndPolicyConfig`.
   */
  readonly configDoc: string;
}

/** Checks a kind's shape where it is declared (and keeps its precise types). */
export function defineTailPolicy<
  Type extends string,
  Policy extends { name: string; type: Type },
>(kind: TailPolicyKind<Type, Policy>): TailPolicyKind<Type, Policy> {
  return kind;
}

/** The policy a kind validates. */
export type PolicyOf<K> = K extends TailPolicyKind<string, infer P> ? P : never;

// Field schemas several kinds share.

export const policyName = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must only use letters, digits and _ . : -');

export const attributeKey = z
  .string({
    required_error: 'is required',
    invalid_type_error: 'must be a string',
  })
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

export const finite = (message: string) =>
  z
    .number({ required_error: 'is required', invalid_type_error: message })
    .finite(message);

export const perSecond = finite('must be a positive number per second')
  .positive('must be a positive number per second')
  .max(1e9, 'must be at most 1e9 per second');
