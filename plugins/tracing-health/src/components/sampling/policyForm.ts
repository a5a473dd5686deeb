import {
  EffectiveSamplingPolicyResponse,
  SamplingPolicy,
  SamplingPolicyPatch,
  SamplingStrategy,
} from '@internal/plugin-tracing-health-common';

/** What the edit form holds: numbers as typed, operations as JSON text. */
export interface PolicyFormState {
  strategyType: SamplingStrategy['type'];
  rate: string;
  targetTracesPerSecond: string;
  minRate: string;
  maxRate: string;
  tracesPerSecond: string;
  samplingLocation: SamplingPolicy['samplingLocation'];
  keepErrors: boolean;
  keepSlow: boolean;
  keepSlowerThanMs: string;
  operations: string;
  reason: string;
}

const text = (n: number | undefined, fallback: string) =>
  n === undefined ? fallback : String(n);

/** Starts from the policy before emergencies: that is what an owner changes. */
export function initialFormState(
  response: EffectiveSamplingPolicyResponse,
): PolicyFormState {
  const { strategy, operations, alwaysKeep, samplingLocation } =
    response.basePolicy;
  return {
    strategyType: strategy.type,
    rate: text(
      strategy.type === 'probabilistic' ? strategy.rate : undefined,
      '0.1',
    ),
    targetTracesPerSecond: text(
      strategy.type === 'adaptive' ? strategy.targetTracesPerSecond : undefined,
      '10',
    ),
    minRate: text(
      strategy.type === 'adaptive' ? strategy.minRate : undefined,
      '0.001',
    ),
    maxRate: text(
      strategy.type === 'adaptive' ? strategy.maxRate : undefined,
      '1',
    ),
    tracesPerSecond: text(
      strategy.type === 'rate-limiting' ? strategy.tracesPerSecond : undefined,
      '10',
    ),
    samplingLocation,
    keepErrors: alwaysKeep.keepErrors,
    keepSlow: alwaysKeep.keepSlowerThanMs !== undefined,
    keepSlowerThanMs: text(alwaysKeep.keepSlowerThanMs, '5000'),
    operations:
      operations.length > 0 ? JSON.stringify(operations, null, 2) : '[]',
    reason: '',
  };
}

/** Typed numbers go to the backend as numbers; anything else as typed, so it says what is wrong. */
function num(value: string): number | string {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed))
    ? Number(trimmed)
    : trimmed;
}

function strategyOf(state: PolicyFormState): unknown {
  switch (state.strategyType) {
    case 'probabilistic':
      return { type: 'probabilistic', rate: num(state.rate) };
    case 'adaptive':
      return {
        type: 'adaptive',
        targetTracesPerSecond: num(state.targetTracesPerSecond),
        minRate: num(state.minRate),
        maxRate: num(state.maxRate),
      };
    default:
      return {
        type: 'rate-limiting',
        tracesPerSecond: num(state.tracesPerSecond),
      };
  }
}

const same = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

export type PolicyPatchResult =
  | { patch: Record<string, unknown>; errors?: undefined }
  | { patch?: undefined; errors: Record<string, string> };

/**
 * The patch to store: each field the owners already stored, plus each field that now differs
 * from what the service gets without a stored policy. Fields left alone keep following the
 * tier, so a later change of tier defaults still reaches this service.
 */
export function toPolicyPatch(
  state: PolicyFormState,
  response: EffectiveSamplingPolicyResponse,
): PolicyPatchResult {
  let operations: unknown;
  try {
    operations = JSON.parse(
      state.operations.trim() === '' ? '[]' : state.operations,
    );
  } catch (e) {
    return {
      errors: {
        'policy.operations': `is not valid JSON: ${(e as Error).message}`,
      },
    };
  }
  const stored: SamplingPolicyPatch = response.storedPolicy?.policy ?? {};
  const base = response.basePolicy;
  const patch: Record<string, unknown> = {};
  const strategy = strategyOf(state);
  if (stored.strategy || !same(strategy, base.strategy))
    patch.strategy = strategy;
  if (stored.operations || !same(operations, base.operations))
    patch.operations = operations;
  if (
    stored.samplingLocation ||
    state.samplingLocation !== base.samplingLocation
  ) {
    patch.samplingLocation = state.samplingLocation;
  }
  const alwaysKeep: Record<string, unknown> = {};
  if (
    stored.alwaysKeep?.keepErrors !== undefined ||
    state.keepErrors !== base.alwaysKeep.keepErrors
  ) {
    alwaysKeep.keepErrors = state.keepErrors;
  }
  const slow = state.keepSlow ? num(state.keepSlowerThanMs) : null;
  const baseSlow = base.alwaysKeep.keepSlowerThanMs ?? null;
  if (
    stored.alwaysKeep?.keepSlowerThanMs !== undefined ||
    !same(slow, baseSlow)
  ) {
    alwaysKeep.keepSlowerThanMs = slow;
  }
  if (Object.keys(alwaysKeep).length > 0) patch.alwaysKeep = alwaysKeep;
  return { patch };
}
