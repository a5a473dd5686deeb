import {
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  tracingHealthEmergencyPermission,
  tracingHealthSamplingBoostPermission,
  tracingHealthSamplingReadPermission,
  tracingHealthSamplingUpdatePermission,
} from '@internal/plugin-tracing-health-common';
import { Request } from 'express';
import { ServiceDirectory } from '../catalog/ServiceDirectory';

export interface SamplingAccessOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  directory: ServiceDirectory;
}

/**
 * Who may call the sampling routes: readers (users and services with the read permission),
 * people changing a policy or boosting a service (its component's owners), admins (the emergency
 * permission). Each check throws (401, 403, 409) when the caller may not.
 */
export class SamplingAccess {
  constructor(private readonly options: SamplingAccessOptions) {}

  async allowed(
    permission: Permission,
    credentials: BackstageCredentials,
    resourceRef?: string,
  ): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [
        resourceRef
          ? { permission: permission as any, resourceRef }
          : { permission: permission as any },
      ],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  async authorize(
    permission: Permission,
    credentials: BackstageCredentials,
    resourceRef?: string,
  ): Promise<void> {
    if (!(await this.allowed(permission, credentials, resourceRef))) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
  }

  /** A user or service with the read permission. */
  async reader(req: Request): Promise<BackstageCredentials> {
    const credentials = await this.options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await this.authorize(tracingHealthSamplingReadPermission, credentials);
    return credentials;
  }

  /** Changes are made by people only: service tokens (e.g. the ingest token) cannot. */
  async changer(
    req: Request,
  ): Promise<BackstageCredentials<BackstageUserPrincipal>> {
    return this.options.httpAuth.credentials(req, { allow: ['user'] });
  }

  /** A person with the emergency permission (overrides, maintenance). */
  async admin(credentials: BackstageCredentials): Promise<void> {
    await this.authorize(tracingHealthEmergencyPermission, credentials);
  }

  /**
   * A service's policy may be changed by whoever the permission policy lets update its catalog
   * component; without a component there is no owner to ask, so only admins may. When several
   * components claim the service.name, its owner is unknown: nobody may (admins included; they
   * still have emergency overrides), or registering a component would take over the policy.
   */
  async authorizePolicyChange(
    serviceName: string,
    credentials: BackstageCredentials,
  ) {
    const entity = await this.options.directory.find(serviceName);
    if (entity?.conflictingEntities) {
      throw new ConflictError(
        `service.name ${serviceName} is claimed by ${entity.conflictingEntities.join(
          ' and ',
        )}: its sampling policy cannot be changed until only one component claims it`,
      );
    }
    if (entity) {
      await this.authorize(
        tracingHealthSamplingUpdatePermission,
        credentials,
        entity.entityRef,
      );
    } else {
      await this.admin(credentials);
    }
    return entity;
  }

  /**
   * Whether the caller may boost a service: its component's owners (boost permission on the
   * component), admins when it has none; nobody while several components claim it (`conflict`).
   */
  async mayBoost(
    serviceName: string,
    credentials: BackstageCredentials,
  ): Promise<{ ok: boolean; conflict: boolean }> {
    const entity = await this.options.directory.find(serviceName);
    if (entity?.conflictingEntities) return { ok: false, conflict: true };
    const ok = entity
      ? await this.allowed(
          tracingHealthSamplingBoostPermission,
          credentials,
          entity.entityRef,
        )
      : await this.allowed(tracingHealthEmergencyPermission, credentials);
    return { ok, conflict: false };
  }

  /** Throws unless the caller may boost the service (409 while several components claim it). */
  async authorizeBoost(
    serviceName: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const may = await this.mayBoost(serviceName, credentials);
    if (may.conflict)
      throw new ConflictError(
        `several components claim service.name ${serviceName}: it cannot be boosted until only one does`,
      );
    if (!may.ok)
      throw new NotAllowedError(
        `Not allowed: ${tracingHealthSamplingBoostPermission.name}`,
      );
  }
}

/** The user entity ref recorded as the actor of a change. */
export const actorOf = (
  credentials: BackstageCredentials<BackstageUserPrincipal>,
): string => credentials.principal.userEntityRef;
