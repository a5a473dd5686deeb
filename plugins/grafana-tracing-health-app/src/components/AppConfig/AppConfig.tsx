import { type ChangeEvent, type FormEvent, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import {
  AppPluginMeta,
  GrafanaTheme2,
  PluginConfigPageProps,
  PluginMeta,
} from '@grafana/data';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import {
  Alert,
  Button,
  Field,
  FieldSet,
  Input,
  SecretInput,
  useStyles2,
} from '@grafana/ui';

import type { AppPluginSecureSettings, AppPluginSettings } from '../../types';
import { AlertRulesInstall } from '../AlertRulesInstall/AlertRulesInstall';
import { normalizePortalUrl, validatePortalUrl } from './validatePortalUrl';

export { normalizePortalUrl, validatePortalUrl };

export type AppConfigProps = PluginConfigPageProps<
  AppPluginMeta<AppPluginSettings>
>;

export const testIds = {
  portalUrl: 'tracing-health-config-portal-url',
  portalToken: 'tracing-health-config-portal-token',
  submit: 'tracing-health-config-submit',
};

type SettingsUpdate = Pick<
  PluginMeta<AppPluginSettings>,
  'enabled' | 'pinned' | 'jsonData'
> & {
  secureJsonData?: AppPluginSecureSettings;
};

/** POSTs the app settings to Grafana (like the create-plugin app template). */
export async function updatePluginSettings(
  pluginId: string,
  data: SettingsUpdate,
) {
  return lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${pluginId}/settings`,
      method: 'POST',
      data,
    }),
  );
}

export const AppConfig = ({ plugin }: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { id, enabled, pinned, jsonData, secureJsonFields } = plugin.meta;

  const [portalUrl, setPortalUrl] = useState<string>(jsonData?.portalUrl ?? '');
  // The stored token is never sent to the browser; Grafana only tells us whether it is set.
  const [isTokenSet, setIsTokenSet] = useState<boolean>(
    Boolean(secureJsonFields?.portalToken),
  );
  const [portalToken, setPortalToken] = useState('');
  const [urlError, setUrlError] = useState<string>();
  const [tokenError, setTokenError] = useState<string>();
  const [saveError, setSaveError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) => {
    setPortalUrl(event.target.value);
    setUrlError(undefined);
  };

  const onTokenChange = (event: ChangeEvent<HTMLInputElement>) => {
    setPortalToken(event.target.value);
    setTokenError(undefined);
  };

  const onTokenReset = () => {
    setIsTokenSet(false);
    setPortalToken('');
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (saving) {
      return;
    }
    const nextUrlError = validatePortalUrl(portalUrl);
    const token = portalToken.trim();
    const nextTokenError =
      !isTokenSet && !token
        ? 'The portal access token is required.'
        : undefined;
    setUrlError(nextUrlError);
    setTokenError(nextTokenError);
    if (nextUrlError || nextTokenError) {
      return;
    }

    setSaving(true);
    setSaveError(undefined);
    try {
      await updatePluginSettings(id, {
        enabled,
        pinned,
        jsonData: { ...jsonData, portalUrl: normalizePortalUrl(portalUrl) },
        // Only send the secret when it was entered; omitting it keeps the stored one.
        secureJsonData: isTokenSet ? undefined : { portalToken: token },
      });
      // The new settings only reach the app (and its proxy route) after a reload.
      window.location.reload();
    } catch (error) {
      setSaving(false);
      setSaveError(describeSaveError(error));
    }
  };

  return (
    <>
      <form onSubmit={onSubmit} noValidate>
        <FieldSet label="Tracing Health portal">
          <Field
            label="Portal URL"
            description="Base URL of the Tracing Health portal (Backstage), e.g. https://backstage.example.com. Grafana calls <URL>/api/tracing-health through its plugin proxy."
            invalid={Boolean(urlError)}
            error={urlError}
          >
            <Input
              width={60}
              id="tracing-health-portal-url"
              name="portalUrl"
              data-testid={testIds.portalUrl}
              value={portalUrl}
              placeholder="https://backstage.example.com"
              onChange={onUrlChange}
            />
          </Field>

          <Field
            label="Portal access token"
            description="The portal's read token (TRACING_HEALTH_READ_TOKEN, subject tracing-read), not the ingest token. Grafana stores it encrypted and adds it to proxied requests; it is never sent back to the browser."
            invalid={Boolean(tokenError)}
            error={tokenError}
            className={styles.marginTop}
          >
            <SecretInput
              width={60}
              id="tracing-health-portal-token"
              name="portalToken"
              data-testid={testIds.portalToken}
              value={portalToken}
              isConfigured={isTokenSet}
              placeholder="Token"
              autoComplete="off"
              onChange={onTokenChange}
              onReset={onTokenReset}
            />
          </Field>

          {saveError && (
            <Alert
              severity="error"
              title="Could not save the settings"
              className={styles.marginTop}
            >
              {saveError}
            </Alert>
          )}

          <div className={styles.marginTop}>
            <Button
              type="submit"
              data-testid={testIds.submit}
              disabled={saving}
            >
              {saving ? 'Saving…' : 'Save settings'}
            </Button>
          </div>
        </FieldSet>
      </form>
      <AlertRulesInstall portalUrl={jsonData?.portalUrl} />
    </>
  );
};

function describeSaveError(error: unknown): string {
  if (isFetchError<{ message?: string }>(error)) {
    const detail = error.data?.message || error.statusText;
    return `HTTP ${error.status}${detail ? `: ${detail}` : ''}`;
  }
  return error instanceof Error
    ? error.message
    : 'Grafana refused to save the settings.';
}

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({
    marginTop: theme.spacing(3),
  }),
});

export default AppConfig;
