import { AuthService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_TRACING_TIER,
  TracedServiceInfo,
  TracingTier,
} from '@internal/plugin-tracing-health-common';
import { CatalogServices } from '../../services/CatalogServices';

/** The catalog component that emits a `service.name`. */
export interface ServiceEntity {
  serviceName: string;
  entityRef: string;
  tier: TracingTier;
  optedIn: boolean;
  /**
   * Every component that claims this `service.name` when more than one does, sorted by ref.
   * Nobody may change the policy (409), and the tier is the one they all give, or the standard
   * tier when they disagree: registering a component must not change another team's sampling.
   */
  conflictingEntities?: string[];
}

/**
 * `service.name` → component. When several components claim one name, all of them are listed in
 * `conflictingEntities` and their tier counts only if they agree on it.
 */
export type ServiceEntityMap = ReadonlyMap<string, ServiceEntity>;

export function toServiceEntityMap(
  items: readonly TracedServiceInfo[],
): ServiceEntityMap {
  const map = new Map<string, ServiceEntity>();
  const sorted = [...items].sort((a, b) =>
    a.entityRef.localeCompare(b.entityRef),
  );
  for (const item of sorted) {
    const serviceName = item.settings.serviceName;
    const first = map.get(serviceName);
    if (first) {
      first.conflictingEntities = [
        ...(first.conflictingEntities ?? [first.entityRef]),
        item.entityRef,
      ];
      if (first.tier !== item.settings.tier) first.tier = DEFAULT_TRACING_TIER;
      continue;
    }
    map.set(serviceName, {
      serviceName,
      entityRef: item.entityRef,
      tier: item.settings.tier,
      optedIn: item.settings.optedIn,
    });
  }
  return map;
}

/**
 * Which catalog component emits which service, read through CatalogServices with the plugin's
 * own credentials: which entity a policy belongs to (its tier, who may change it) must not
 * depend on what the caller may read; the update permission is then decided on that entity.
 */
export class ServiceDirectory {
  constructor(
    private readonly catalogServices: CatalogServices,
    private readonly auth: AuthService,
  ) {}

  async load(): Promise<ServiceEntityMap> {
    const credentials = await this.auth.getOwnServiceCredentials();
    return toServiceEntityMap(await this.catalogServices.list(credentials));
  }

  async find(serviceName: string): Promise<ServiceEntity | undefined> {
    return (await this.load()).get(serviceName);
  }
}
