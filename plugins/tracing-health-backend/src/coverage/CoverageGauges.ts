import { Gauge, Registry } from 'prom-client';
import {
  COVERAGE_METRICS,
  COVERAGE_STATES,
} from '@internal/plugin-tracing-health-common';
import { CoverageResult } from './computeCoverage';

/** The coverage gauges on `/metrics`, set from the latest computed coverage. */
export class CoverageGauges {
  private readonly services: Gauge<'state'>;
  private readonly serviceState: Gauge<
    'entity_ref' | 'service' | 'owner' | 'system' | 'state'
  >;
  private readonly completeness: Gauge<'service'>;

  constructor(registry: Registry) {
    this.services = new Gauge({
      name: COVERAGE_METRICS.services,
      help: 'Catalog components (and unregistered service names) per coverage state.',
      labelNames: ['state'],
      registers: [registry],
    });
    this.serviceState = new Gauge({
      name: COVERAGE_METRICS.serviceState,
      help: 'Coverage state per component: 1 for the current state, 0 for the others. Unregistered service names have an empty entity_ref.',
      labelNames: ['entity_ref', 'service', 'owner', 'system', 'state'],
      registers: [registry],
    });
    this.completeness = new Gauge({
      name: COVERAGE_METRICS.completeness,
      help: 'Share (0..1) of the judged traces a service took part in that were complete, over the coverage window.',
      labelNames: ['service'],
      registers: [registry],
    });
  }

  update(result: CoverageResult): void {
    const counts = new Map<string, number>(COVERAGE_STATES.map(s => [s, 0]));
    this.serviceState.reset();
    this.completeness.reset();
    const completeness = new Map<string, number>();
    for (const item of result.items) {
      counts.set(item.state, counts.get(item.state)! + 1);
      const labels = {
        entity_ref: item.entityRef,
        service: item.serviceName,
        owner: item.owner ?? '',
        system: item.system ?? '',
      };
      for (const state of COVERAGE_STATES) {
        this.serviceState.set(
          { ...labels, state },
          state === item.state ? 1 : 0,
        );
      }
      if (item.figures.completeness !== undefined) {
        completeness.set(item.serviceName, item.figures.completeness);
      }
    }
    for (const u of result.unregistered) {
      counts.set('unregistered', counts.get('unregistered')! + 1);
      const labels = {
        entity_ref: '',
        service: u.serviceName,
        owner: '',
        system: '',
      };
      for (const state of COVERAGE_STATES) {
        this.serviceState.set(
          { ...labels, state },
          state === 'unregistered' ? 1 : 0,
        );
      }
      if (u.figures.completeness !== undefined)
        completeness.set(u.serviceName, u.figures.completeness);
    }
    for (const [state, count] of counts) this.services.set({ state }, count);
    for (const [service, ratio] of completeness)
      this.completeness.set({ service }, ratio);
  }
}
