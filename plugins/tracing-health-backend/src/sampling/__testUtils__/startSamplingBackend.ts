import {
  AuditorServiceCreateEventOptions,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  AuthorizePermissionRequest,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  tracingHealthEmergencyPermission,
  tracingHealthSamplingBoostPermission,
  tracingHealthSamplingUpdatePermission,
} from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { migrateDatabase } from '../../database/migrateDatabase';
import { CatalogServices } from '../../services/CatalogServices';
import { Clock } from '../clock';
import {
  createSamplingControlPlane,
  createSamplingPolicies,
  SamplingControlPlane,
} from '../createSamplingControlPlane';
import { AdaptiveRateProvider } from '../SamplingControlService';
import { TraceDigests } from '@internal/tracing-pipeline';
import { SAMPLING_UNAUTHENTICATED_PATHS } from '../createSamplingRouter';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now() {
    return new Date(this.current);
  }
  advanceMinutes(minutes: number) {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

export interface RecordedAuditEvent {
  eventId: string;
  severityLevel?: string;
  meta?: unknown;
  outcome?: 'success' | 'fail';
  outcomeMeta?: unknown;
  error?: Error;
}

/** Who owns what and who is an admin: the decisions a real policy would make. */
export interface TestAccess {
  ownedEntities: Record<string, string[]>;
  admins: string[];
}

function decide(
  request: AuthorizePermissionRequest,
  user: string | undefined,
  access: TestAccess,
) {
  const { permission } = request;
  if (permission.name === tracingHealthEmergencyPermission.name) {
    return user && access.admins.includes(user);
  }
  if (
    isResourcePermission(permission, 'catalog-entity') &&
    (permission.name === tracingHealthSamplingUpdatePermission.name ||
      permission.name === tracingHealthSamplingBoostPermission.name)
  ) {
    const resourceRef =
      'resourceRef' in request ? request.resourceRef : undefined;
    return (
      !!user &&
      (access.admins.includes(user) ||
        (!!resourceRef &&
          (access.ownedEntities[user] ?? []).includes(resourceRef)))
    );
  }
  return true;
}

export async function startSamplingBackend(options: {
  knex: Knex;
  clock: Clock;
  entities: Entity[];
  access: TestAccess;
  config?: object;
  /** The pipeline's side, as the plugin passes it in: adaptive rates and trace digests. */
  adaptiveRates?: AdaptiveRateProvider;
  traceDigests?: TraceDigests;
}) {
  const auditEvents: RecordedAuditEvent[] = [];
  const authorizeCalls: Array<{
    requests: AuthorizePermissionRequest[];
    user?: string;
  }> = [];
  let plane: SamplingControlPlane | undefined;

  const auditor = mockServices.auditor.mock({
    createEvent: async (opts: AuditorServiceCreateEventOptions) => {
      const event: RecordedAuditEvent = {
        eventId: opts.eventId,
        severityLevel: opts.severityLevel,
        meta: opts.meta,
      };
      auditEvents.push(event);
      return {
        success: async o => {
          event.outcome = 'success';
          event.outcomeMeta = o?.meta;
        },
        fail: async o => {
          event.outcome = 'fail';
          event.outcomeMeta = o.meta;
          event.error = o.error;
        },
      };
    },
  });

  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) => {
      const user =
        credentials.principal && (credentials.principal as any).type === 'user'
          ? (credentials.principal as any).userEntityRef
          : undefined;
      authorizeCalls.push({
        requests: requests as AuthorizePermissionRequest[],
        user,
      });
      return requests.map(r => ({
        result: decide(r as AuthorizePermissionRequest, user, options.access)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      }));
    },
  });

  const samplingPlugin = createBackendPlugin({
    pluginId: 'tracing-health',
    register(env) {
      env.registerInit({
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.logger,
          database: coreServices.database,
          auth: coreServices.auth,
          httpAuth: coreServices.httpAuth,
          httpRouter: coreServices.httpRouter,
          permissions: coreServices.permissions,
          auditor: coreServices.auditor,
          scheduler: coreServices.scheduler,
          lifecycle: coreServices.lifecycle,
          catalog: catalogServiceRef,
        },
        async init(deps) {
          const knex = await deps.database.getClient();
          await migrateDatabase(knex);
          const catalogServices = new CatalogServices(deps.catalog);
          const policies = await createSamplingPolicies({
            ...deps,
            knex,
            catalogServices,
            clock: options.clock,
          });
          plane = await createSamplingControlPlane({
            ...deps,
            knex,
            catalogServices,
            policies,
            adaptiveRates: options.adaptiveRates,
            traceDigests: options.traceDigests,
          });
          deps.httpRouter.use(plane.router);
          for (const path of SAMPLING_UNAUTHENTICATED_PATHS) {
            deps.httpRouter.addAuthPolicy({ path, allow: 'unauthenticated' });
          }
        },
      });
    },
  });

  const { server } = await startTestBackend({
    features: [
      samplingPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      permissions.factory,
      auditor.factory,
    ],
  });
  return { server, plane: plane!, auditEvents, authorizeCalls };
}
