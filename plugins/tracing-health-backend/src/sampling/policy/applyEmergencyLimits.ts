import {
  GLOBAL_OVERRIDE_SCOPE,
  SamplingMaintenance,
  SamplingOverride,
  SamplingPolicy,
  SamplingPolicyLayer,
  SamplingPolicySources,
  SamplingStrategy,
} from '@internal/plugin-tracing-health-common';

/** True while an override or maintenance window has not reached its expiry time. */
export function isActive(item: { expiresAt: string }, now: Date): boolean {
  return Date.parse(item.expiresAt) > now.getTime();
}

/** The overrides that apply to a service (global and its own) and are still active. */
export function overridesFor(
  serviceName: string | undefined,
  overrides: readonly SamplingOverride[],
  now: Date,
): SamplingOverride[] {
  return overrides.filter(
    o =>
      (o.scope === GLOBAL_OVERRIDE_SCOPE || o.scope === serviceName) &&
      isActive(o, now),
  );
}

type RateLimit = (rate: number) => number;

/** Applies `limit` to every probability of a strategy; undefined when nothing changed. */
function limitStrategy(
  strategy: SamplingStrategy,
  limit: RateLimit,
  tracesPerSecondFactor: number | undefined,
): SamplingStrategy | undefined {
  switch (strategy.type) {
    case 'probabilistic': {
      const rate = limit(strategy.rate);
      return rate === strategy.rate ? undefined : { ...strategy, rate };
    }
    case 'adaptive': {
      const minRate = limit(strategy.minRate);
      const maxRate = limit(strategy.maxRate);
      return minRate === strategy.minRate && maxRate === strategy.maxRate
        ? undefined
        : { ...strategy, minRate, maxRate };
    }
    case 'rate-limiting': {
      // A rate limit already bounds volume; only a factor (maintenance) scales it.
      if (tracesPerSecondFactor === undefined || tracesPerSecondFactor === 1)
        return undefined;
      const tracesPerSecond = strategy.tracesPerSecond * tracesPerSecondFactor;
      return tracesPerSecond > 0
        ? { ...strategy, tracesPerSecond }
        : { type: 'probabilistic', rate: 0 };
    }
    default:
      return undefined;
  }
}

interface Limited {
  policy: SamplingPolicy;
  sources: SamplingPolicySources;
}

function limitRates(
  current: Limited,
  limit: RateLimit,
  tracesPerSecondFactor: number | undefined,
  layer: SamplingPolicyLayer,
): Limited {
  const sources = { ...current.sources };
  let { strategy, operations } = current.policy;
  const limitedStrategy = limitStrategy(strategy, limit, tracesPerSecondFactor);
  if (limitedStrategy) {
    strategy = limitedStrategy;
    sources.strategy = layer;
  }
  if (operations.some(rule => limit(rule.rate) !== rule.rate)) {
    operations = operations.map(rule => ({ ...rule, rate: limit(rule.rate) }));
    sources.operations = layer;
  }
  return { policy: { ...current.policy, strategy, operations }, sources };
}

function disable(current: Limited): Limited {
  return {
    policy: {
      ...current.policy,
      strategy: { type: 'probabilistic', rate: 0 },
      operations: [],
      alwaysKeep: { keepErrors: false },
    },
    sources: {
      ...current.sources,
      strategy: 'override',
      operations: 'override',
      'alwaysKeep.keepErrors': 'override',
      'alwaysKeep.keepSlowerThanMs': 'override',
    },
  };
}

/**
 * Applies active overrides, then maintenance, to a policy. `disable` keeps nothing (not even
 * errors); `cap-rate` caps every probability (strategy, adaptive bounds, operation rules) at
 * `maxRate` and keeps the always-keep rules; caps combine by their minimum. Maintenance
 * multiplies every probability (and a rate limit) by `factor` and caps probabilities at `maxRate`.
 * Rate-limiting strategies are not capped by `cap-rate`: they already bound volume.
 */
export function applyEmergencyLimits(
  base: Limited,
  overrides: readonly SamplingOverride[],
  maintenance: SamplingMaintenance | undefined,
): Limited {
  let current: Limited = { policy: base.policy, sources: { ...base.sources } };
  if (overrides.some(o => o.action === 'disable')) {
    return disable(current);
  }
  const caps = overrides
    .filter(o => o.action === 'cap-rate' && o.maxRate !== undefined)
    .map(o => o.maxRate as number);
  if (caps.length > 0) {
    const cap = Math.min(...caps);
    current = limitRates(
      current,
      rate => Math.min(rate, cap),
      undefined,
      'override',
    );
  }
  if (maintenance) {
    const factor = maintenance.factor ?? 1;
    const cap = maintenance.maxRate ?? 1;
    current = limitRates(
      current,
      rate => Math.min(rate * factor, cap),
      maintenance.factor,
      'maintenance',
    );
  }
  return current;
}
