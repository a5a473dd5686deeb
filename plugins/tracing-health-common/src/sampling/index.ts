export * from './issues';
export * from './policy';
export * from './tailPolicy';
export * from './whyKept';
