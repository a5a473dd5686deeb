export {
  createSamplingControlPlane,
  createSamplingPolicies,
} from './createSamplingControlPlane';
export type {
  SamplingControlPlane,
  SamplingControlPlaneOptions,
  SamplingPolicies,
  SamplingPoliciesOptions,
} from './createSamplingControlPlane';
export {
  createSamplingRouter,
  SAMPLING_UNAUTHENTICATED_PATHS,
} from './createSamplingRouter';
export type { SamplingRouterOptions } from './createSamplingRouter';
export { DatabasePolicySource } from './DatabasePolicySource';
export type { AdaptiveRateProvider } from './SamplingControlService';
export { SamplingControlService } from './SamplingControlService';
export { SamplingStore } from './store/SamplingStore';
export { readSamplingConfig } from './readSamplingConfig';
export type { SamplingControlConfig } from './readSamplingConfig';
export type { Clock } from './clock';
