export { startServiceGraph, serviceGraphOptions } from './startServiceGraph';
export { createDependenciesRouter } from './createDependenciesRouter';
export { readServiceGraphConfig } from './readServiceGraphConfig';
export type { ServiceGraphConfig } from './readServiceGraphConfig';
