export * from './TracingHealthApi';
export * from './TracingHealthClient';
export * from './SamplingValidationFailedError';
