export { EntityCoverageCard } from './EntityCoverageCard';
export { CoverageCard } from './CoverageCard';
export {
  CoverageStateBadge,
  COVERAGE_STATE_DESCRIPTIONS,
} from './CoverageStateBadge';
export { formatAgo, formatDuration, formatPercent, formatRate } from './format';
