import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  tracingHealthEmergencyPermission,
  tracingHealthSamplingUpdatePermission,
  tracingHealthSamplingBoostPermission,
} from '@internal/plugin-tracing-health-common';

export const DEFAULT_ADMIN_GROUPS = ['group:default/platform-team'];

/**
 * Catalog changes every team's portal depends on: registering or removing entities and locations.
 * Only admins may make them; the catalog's own providers are not users and are not asked.
 */
export const ADMIN_ONLY_CATALOG_PERMISSIONS = [
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
];

/**
 * The portal's permission policy. Everything is allowed except:
 * - registering or deleting catalog entities and locations: admins only;
 * - changing a service's sampling policy: its owners (the catalog decides `isEntityOwner` against
 *   the user's ownership refs: the user and their groups), and admins;
 * - emergency overrides and maintenance mode: admins only (members of `adminGroups`).
 */
export class TracingHealthPortalPolicy implements PermissionPolicy {
  private readonly adminGroups: Set<string>;

  constructor(
    private readonly userInfo: UserInfoService,
    adminGroups: readonly string[] = DEFAULT_ADMIN_GROUPS,
  ) {
    this.adminGroups = new Set(
      adminGroups.map(ref => ref.toLocaleLowerCase('en-US')),
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    // The user and the groups they belong to, as resolved at sign-in.
    const claims = user
      ? (await this.userInfo.getUserInfo(user.credentials)).ownershipEntityRefs
      : [];
    const isAdmin = claims.some(ref =>
      this.adminGroups.has(ref.toLocaleLowerCase('en-US')),
    );

    if (
      isPermission(request.permission, tracingHealthEmergencyPermission) ||
      ADMIN_ONLY_CATALOG_PERMISSIONS.some(
        permission => permission.name === request.permission.name,
      )
    ) {
      return { result: isAdmin ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    if (
      isPermission(request.permission, tracingHealthSamplingUpdatePermission) ||
      isPermission(request.permission, tracingHealthSamplingBoostPermission)
    ) {
      if (isAdmin) return { result: AuthorizeResult.ALLOW };
      if (claims.length === 0) return { result: AuthorizeResult.DENY };
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
