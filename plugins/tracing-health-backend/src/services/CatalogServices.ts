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
    return items.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
}
