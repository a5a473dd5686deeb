export {
  EntityDependenciesCard,
  DependenciesContent,
} from './EntityDependenciesCard';
export { FleetDependenciesSection } from './FleetDependenciesSection';
export { DependencyTable } from './DependencyTable';
