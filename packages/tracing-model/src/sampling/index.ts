export * from './issues';
export * from './policy';
export * from './whyKept';
