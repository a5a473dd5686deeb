import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  parseTracingSettings,
  TracedServiceInfo,
} from '@internal/plugin-tracing-health-common';

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
  'relations',
];

function relationTarget(entity: Entity, type: string): string | undefined {
  return entity.relations?.find(r => r.type === type)?.targetRef;
}

/** Describes one component with its tracing settings. */
export function toTracedServiceInfo(entity: Entity): TracedServiceInfo {
  const spec = (entity.spec ?? {}) as { owner?: string; system?: string };
  return {
    entityRef: stringifyEntityRef(entity),
    name: entity.metadata.name,
    namespace: entity.metadata.namespace ?? 'default',
    title: entity.metadata.title,
    owner: relationTarget(entity, RELATION_OWNED_BY) ?? spec.owner,
    system: relationTarget(entity, RELATION_PART_OF) ?? spec.system,
    settings: parseTracingSettings(entity),
  };
}

/**
 * Marks the components that claim the same `service.name` as another one (by annotation or by
 * `metadata.name`): each gets `conflictingEntities`, every claimant's ref, sorted. Nobody can
 * tell which of them owns the service, so its sampling policy is not theirs to change.
 */
const byRef = (a: string, b: string) => a.localeCompare(b);

export function markServiceNameConflicts(
  items: readonly TracedServiceInfo[],
): TracedServiceInfo[] {
  const claimants = new Map<string, string[]>();
  for (const item of items) {
    const refs = claimants.get(item.settings.serviceName) ?? [];
    refs.push(item.entityRef);
    claimants.set(item.settings.serviceName, refs);
  }
  return items.map(item => {
    const refs = claimants.get(item.settings.serviceName)!;
    return refs.length > 1
      ? { ...item, conflictingEntities: [...refs].sort(byRef) }
      : item;
  });
}

/** Reads catalog components and the tracing settings their annotations declare. */
export class CatalogServices {
  constructor(private readonly catalog: CatalogService) {}

  async list(credentials: BackstageCredentials): Promise<TracedServiceInfo[]> {
    const items: TracedServiceInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: 500 }
          : { filter: { kind: 'Component' }, fields: FIELDS, limit: 500 },
        { credentials },
      );
      items.push(...page.items.map(toTracedServiceInfo));
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return markServiceNameConflicts(
      items.sort((a, b) => a.entityRef.localeCompare(b.entityRef)),
    );
  }
}
