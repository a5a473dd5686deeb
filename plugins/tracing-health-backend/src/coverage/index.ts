export { readCoverageConfig } from './readCoverageConfig';
export type { CoverageConfig } from './readCoverageConfig';
export { createSpanMetrics, startCoverage } from './startCoverage';
export type { StartCoverageOptions } from './startCoverage';
export { createCoverageRouter } from './createCoverageRouter';
export type { CoverageRouterOptions } from './createCoverageRouter';
export { CoverageRollups } from './CoverageRollups';
export { CoverageService } from './CoverageService';
export type { EffectiveRateProvider } from './EffectiveRateProvider';
