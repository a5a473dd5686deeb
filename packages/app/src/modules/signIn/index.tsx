import {
  configApiRef,
  createFrontendModule,
  githubAuthApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';

const github = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * What the sign-in page offers, by `auth.environment`: guest in the embedded default
 * (`development`), GitHub otherwise (app-config.production.yaml), matching the backend.
 */
export function signInProviders(environment: string | undefined) {
  return (environment ?? 'development') === 'development'
    ? (['guest'] as const)
    : [github];
}

function TracingHealthSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  return (
    <SignInPage
      {...props}
      providers={[
        ...signInProviders(config.getOptionalString('auth.environment')),
      ]}
    />
  );
}

/** Replaces the app's default (guest-only) sign-in page. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: async () => TracingHealthSignInPage },
    }),
  ],
});
