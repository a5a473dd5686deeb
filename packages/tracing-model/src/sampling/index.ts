export * from './applySamplingPolicyPatch';
export * from './issues';
export * from './operationRules';
export * from './policySchema';
export * from './policySource';
export * from './strategy';
export * from './tierSeeds';
export * from './whyKept';
