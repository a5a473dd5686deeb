import {
  applySamplingPolicyPatch,
  DEFAULT_TRACING_TIER,
  defaultSamplingPolicy,
  SamplingPolicy,
  SamplingPolicyLayer,
  SamplingPolicyOrigin,
  SamplingPolicyPatch,
  SamplingPolicySources,
  TIER_DEFAULT_RATES,
  TracingTier,
} from '@internal/plugin-tracing-health-common';

/** The layers below emergency limits, lowest first. */
export interface PolicyLayers {
  /** `tracingHealth.sampling.default`: for services without a catalog component. */
  defaults?: SamplingPolicyPatch;
  /** The tier of the catalog component emitting the service, when one does. */
  tier?: TracingTier;
  /** `tracingHealth.sampling.tiers`. */
  tierPatches?: Partial<Record<TracingTier, SamplingPolicyPatch>>;
  /** What the service's owners stored. */
  stored?: SamplingPolicyPatch;
}

/** A policy with the layer each of its fields came from. */
export interface LayeredPolicy {
  policy: SamplingPolicy;
  sources: SamplingPolicySources;
  origin: SamplingPolicyOrigin;
  tier?: TracingTier;
}

function allFrom(layer: SamplingPolicyLayer): SamplingPolicySources {
  return {
    strategy: layer,
    operations: layer,
    'alwaysKeep.keepErrors': layer,
    'alwaysKeep.keepSlowerThanMs': layer,
    samplingLocation: layer,
  };
}

function applyLayer(
  current: LayeredPolicy,
  patch: SamplingPolicyPatch | undefined,
  layer: SamplingPolicyLayer,
): LayeredPolicy {
  if (!patch) return current;
  const sources = { ...current.sources };
  if (patch.strategy !== undefined) sources.strategy = layer;
  if (patch.operations !== undefined) sources.operations = layer;
  if (patch.alwaysKeep?.keepErrors !== undefined)
    sources['alwaysKeep.keepErrors'] = layer;
  if (patch.alwaysKeep?.keepSlowerThanMs !== undefined) {
    sources['alwaysKeep.keepSlowerThanMs'] = layer;
  }
  if (patch.samplingLocation !== undefined) sources.samplingLocation = layer;
  return {
    ...current,
    policy: applySamplingPolicyPatch(current.policy, patch),
    sources,
  };
}

/**
 * Builds a service's policy from its layers, with the config semantics of the pipeline's
 * config-backed source: a service with a catalog component starts from its tier (the tier's
 * seed, then `tiers.<tier>`); one without starts from the default policy (the standard tier's
 * policy, then `default`). Then comes what its owners stored. Fields the seeds share across
 * tiers are reported as `default`, the seed's strategy and `tiers.<tier>` fields as `tier`.
 */
export function mergePolicyLayers(layers: PolicyLayers): LayeredPolicy {
  let merged: LayeredPolicy = {
    policy: defaultSamplingPolicy(),
    sources: allFrom('default'),
    origin: 'default',
  };
  if (layers.tier) {
    merged = applyLayer(
      merged,
      {
        strategy: {
          type: 'probabilistic',
          rate: TIER_DEFAULT_RATES[layers.tier],
        },
      },
      'tier',
    );
    merged = applyLayer(merged, layers.tierPatches?.[layers.tier], 'tier');
    merged = { ...merged, origin: 'tier', tier: layers.tier };
  } else {
    merged = applyLayer(
      merged,
      layers.tierPatches?.[DEFAULT_TRACING_TIER],
      'default',
    );
    merged = applyLayer(merged, layers.defaults, 'default');
  }
  if (layers.stored) {
    merged = {
      ...applyLayer(merged, layers.stored, 'service'),
      origin: 'service',
    };
  }
  return merged;
}
