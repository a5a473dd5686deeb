/**
 * The sampling engine: consistent head sampling per service policy, adaptive rates, tail
 * sampling with bounded memory, composed into one holding stage. See README.md.
 */
export * from './consistent';
export * from './strategyRate';
export * from './traceData';
export * from './metrics';
export * from './rateLimiter';
export * from './adaptiveSampler';
export * from './headSampler';
export * from './policies';
export * from './tailPolicies';
export * from './tailSampler';
export * from './samplingStage';
export * from './configPolicySource';
export * from './whyKept';
export * from './traceDigests';
export * from './preview';
