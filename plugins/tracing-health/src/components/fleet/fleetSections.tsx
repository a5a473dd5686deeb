import { ReactElement } from 'react';
import { FleetCoverageSection } from './FleetCoverageSection';
import { HealthBoard } from '../checks';
import { FleetDependenciesSection } from '../dependencies';
import { SamplingEmergencySection } from '../sampling';
import { OwnerBudgetsSection } from '../sampling/OwnerBudgetsSection';
import { ClusterSection } from '../cluster';

/** One section of the fleet page. */
export interface FleetSection {
  id: string;
  title: string;
  render(): ReactElement;
}

/**
 * The fleet page's sections, top to bottom. Each feature adds its own entry here (the health
 * board, the emergency sampling controls, ...) with its component in its own folder.
 */
export const fleetSections: FleetSection[] = [
  {
    id: 'coverage',
    title: 'Trace coverage',
    render: () => <FleetCoverageSection />,
  },
  {
    id: 'dependencies',
    title: 'Dependencies: broken propagation and uninstrumented calls',
    render: () => <FleetDependenciesSection />,
  },
  {
    id: 'health',
    title: 'Health checks',
    render: () => <HealthBoard />,
  },
  {
    id: 'sampling',
    title: 'Sampling: emergencies and audit log',
    render: () => <SamplingEmergencySection />,
  },
  {
    id: 'budgets',
    title: 'Sampling: owner budgets',
    render: () => <OwnerBudgetsSection />,
  },
  {
    id: 'cluster',
    title: 'Portal replicas',
    render: () => <ClusterSection />,
  },
];
