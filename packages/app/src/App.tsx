import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

// Other features, including the tracing-health plugin's /alpha export, are discovered from
// this package's dependencies (`app.packages: all` in app-config.yaml).
export default createApp({
  features: [catalogPlugin, navModule, signInModule],
});
