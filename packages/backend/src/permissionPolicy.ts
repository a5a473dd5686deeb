import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  DEFAULT_ADMIN_GROUPS,
  TracingHealthPortalPolicy,
} from './TracingHealthPortalPolicy';

/** Installs the portal's policy; admins are `tracingHealth.sampling.adminGroups`. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'tracing-health-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const adminGroups =
          config.getOptionalStringArray('tracingHealth.sampling.adminGroups') ??
          DEFAULT_ADMIN_GROUPS;
        policy.setPolicy(new TracingHealthPortalPolicy(userInfo, adminGroups));
      },
    });
  },
});
