import { Entity } from '@backstage/catalog-model';
import { parseTracingSettings } from '@internal/plugin-tracing-health-common';

/** True when the entity opted into tracing with `tracing-health/enabled: "true"`. */
export function isTracingHealthAvailable(entity: Entity): boolean {
  return parseTracingSettings(entity).optedIn;
}
