import {
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
  const layered = mergePolicyLayers(layers);
  const overrides = overridesFor(serviceName, emergency.overrides, now);
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
  return {
    effective,
    sources: limited.sources,
    base: layered.policy,
    overrides,
    maintenance,
  };
}
