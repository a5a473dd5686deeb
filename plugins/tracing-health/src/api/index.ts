export * from './TracingHealthApi';
export * from './TracingHealthClient';
