import {
  AlwaysKeepRules,
  SamplingPolicy,
  SamplingPolicyPatch,
} from './policySchema';

/** Layers a patch over a policy (see `samplingPolicyPatchSchema`). Does not mutate. */
export function applySamplingPolicyPatch(
  base: SamplingPolicy,
  patch: SamplingPolicyPatch | undefined,
): SamplingPolicy {
  if (!patch) return { ...base, alwaysKeep: { ...base.alwaysKeep } };
  const alwaysKeep: AlwaysKeepRules = { ...base.alwaysKeep };
  if (patch.alwaysKeep?.keepErrors !== undefined) {
    alwaysKeep.keepErrors = patch.alwaysKeep.keepErrors;
  }
  if (patch.alwaysKeep?.keepSlowerThanMs === null) {
    delete alwaysKeep.keepSlowerThanMs;
  } else if (patch.alwaysKeep?.keepSlowerThanMs !== undefined) {
    alwaysKeep.keepSlowerThanMs = patch.alwaysKeep.keepSlowerThanMs;
  }
  return {
    strategy: patch.strategy ?? base.strategy,
    operations: patch.operations ?? base.operations,
    alwaysKeep,
    samplingLocation: patch.samplingLocation ?? base.samplingLocation,
  };
}
