import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** Runs a health check now instead of waiting for its next interval. */
export const tracingHealthCheckRunPermission = createPermission({
  name: 'tracing-health.check.run',
  attributes: { action: 'update' },
});

/** Reads sampling policies, their history, overrides and maintenance state. */
export const tracingHealthSamplingReadPermission = createPermission({
  name: 'tracing-health.sampling.read',
  attributes: { action: 'read' },
});

/**
 * Changes the sampling policy of one service, authorized against the catalog entity that emits
 * it, so a policy can let owners change their own services (`isEntityOwner`).
 */
export const tracingHealthSamplingUpdatePermission = createPermission({
  name: 'tracing-health.sampling.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Boosts one service to 100% for a bounded time, authorized against its catalog entity (owners
 * boost their own services).
 */
export const tracingHealthSamplingBoostPermission = createPermission({
  name: 'tracing-health.sampling.boost',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Emergency overrides and maintenance mode: changes every service at once (admins only). */
export const tracingHealthEmergencyPermission = createPermission({
  name: 'tracing-health.sampling.emergency',
  attributes: { action: 'update' },
});

/** Every permission of the tracing-health plugins, registered by the backend. */
export const tracingHealthPermissions = [
  tracingHealthCheckRunPermission,
  tracingHealthSamplingReadPermission,
  tracingHealthSamplingUpdatePermission,
  tracingHealthSamplingBoostPermission,
  tracingHealthEmergencyPermission,
];
