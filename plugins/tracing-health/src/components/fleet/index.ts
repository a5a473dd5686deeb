export { FleetPage } from './FleetPage';
export { fleetSections } from './fleetSections';
export type { FleetSection } from './fleetSections';
