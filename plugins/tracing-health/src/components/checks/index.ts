export { HealthBoard, sortBySeverity } from './HealthBoard';
export {
  EntityHealthChecksCard,
  checksForService,
} from './EntityHealthChecksCard';
export { CheckStatusIcon } from './CheckStatusIcon';
export { CheckHistorySparkline } from './CheckHistorySparkline';
