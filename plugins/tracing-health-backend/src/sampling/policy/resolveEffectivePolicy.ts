import {
  BOOST_OVERRIDE_ACTION,
  EffectivePolicy,
  SamplingMaintenance,
  SamplingOverride,
  SamplingPolicy,
  SamplingPolicySources,
} from '@internal/plugin-tracing-health-common';
import {
  applyEmergencyLimits,
  isActive,
  overridesFor,
} from './applyEmergencyLimits';
import { mergePolicyLayers, PolicyLayers } from './mergePolicyLayers';

export interface ResolvedPolicy {
  /** What the samplers apply: every layer, overrides and maintenance included. */
  effective: EffectivePolicy;
  sources: SamplingPolicySources;
  /** The policy before overrides and maintenance. */
  base: SamplingPolicy;
  /** The overrides that shaped `effective`. */
  overrides: SamplingOverride[];
  /** The active boost of the service, when one is on. */
  boost?: SamplingOverride;
  maintenance?: SamplingMaintenance;
}

export interface EmergencyState {
  overrides: readonly SamplingOverride[];
  maintenance?: SamplingMaintenance;
}

/**
 * The policy in force for a service at `now`: tier (or the config default) → stored policy → active
 * overrides → maintenance. Overrides and maintenance past their expiry time are ignored, so
 * they revert on time even before the cleanup task removes them.
 */
export function resolveEffectivePolicy(
  serviceName: string | undefined,
  layers: PolicyLayers,
  emergency: EmergencyState,
  now: Date,
): ResolvedPolicy {
  let layered = mergePolicyLayers(layers);
  const active = overridesFor(serviceName, emergency.overrides, now);
  const overrides = active.filter(o => o.action !== BOOST_OVERRIDE_ACTION);
  const boost = active.find(
    o => o.action === BOOST_OVERRIDE_ACTION && o.scope === serviceName,
  );
  if (boost) {
    // A boost keeps every trace of the service (emergency limits above still apply).
    layered = {
      ...layered,
      policy: {
        ...layered.policy,
        strategy: { type: 'probabilistic', rate: 1 },
        operations: [],
      },
      sources: { ...layered.sources, strategy: 'boost', operations: 'boost' },
    };
  }
  const maintenance =
    emergency.maintenance && isActive(emergency.maintenance, now)
      ? emergency.maintenance
      : undefined;
  const limited = applyEmergencyLimits(layered, overrides, maintenance);
  const effective: EffectivePolicy = {
    ...limited.policy,
    origin: layered.origin,
  };
  if (layered.tier) effective.tier = layered.tier;
  const deciding = (layer: string) =>
    layer === 'boost' || layer === 'override' || layer === 'maintenance'
      ? layer
      : undefined;
  const strategyBy = deciding(limited.sources.strategy);
  const operationsBy = deciding(limited.sources.operations);
  if (strategyBy || operationsBy) {
    effective.decidedBy = {};
    if (strategyBy) effective.decidedBy.strategy = strategyBy;
    if (operationsBy) effective.decidedBy.operations = operationsBy;
  }
  const resolved: ResolvedPolicy = {
    effective,
    sources: limited.sources,
    base: layered.policy,
    overrides,
    maintenance,
  };
  if (boost) resolved.boost = boost;
  return resolved;
}
