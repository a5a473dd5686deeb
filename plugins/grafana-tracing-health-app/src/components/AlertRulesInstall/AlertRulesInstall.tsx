import { type ChangeEvent, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import {
  Alert,
  Button,
  Field,
  FieldSet,
  Input,
  LinkButton,
  useStyles2,
} from '@grafana/ui';

import {
  ALERT_RULES_FOLDER,
  InstallAlertRulesResult,
  installAlertRules,
} from '../../api/installAlertRules';
import { DEFAULT_ALERT_RULE_OPTIONS } from '../../generate/alertRules';
import {
  normalizePortalUrl,
  validatePortalUrl,
} from '../AppConfig/validatePortalUrl';

export interface AlertRulesInstallProps {
  /** The configured portal URL (jsonData), the default base of the runbook links. */
  portalUrl?: string;
}

export const alertRulesTestIds = {
  datasource: 'tracing-health-alerts-datasource',
  runbookBaseUrl: 'tracing-health-alerts-runbook-base-url',
  install: 'tracing-health-alerts-install',
};

type InstallState =
  | { status: 'idle' }
  | { status: 'installing' }
  | { status: 'done'; result: InstallAlertRulesResult }
  | { status: 'error'; message: string };

/**
 * "Install alert rules": turns the app's Prometheus rule file into Grafana-managed alert rules
 * on the Prometheus data source the user picks, in a folder the app creates. Everything goes to
 * Grafana's own API with the user's session; the portal token is not involved.
 */
export const AlertRulesInstall = ({ portalUrl }: AlertRulesInstallProps) => {
  const styles = useStyles2(getStyles);
  const [datasourceUid, setDatasourceUid] = useState<string>();
  const [runbookBaseUrl, setRunbookBaseUrl] = useState(
    portalUrl || DEFAULT_ALERT_RULE_OPTIONS.portalUrl,
  );
  const [urlError, setUrlError] = useState<string>();
  const [state, setState] = useState<InstallState>({ status: 'idle' });

  const onInstall = async () => {
    const error = validatePortalUrl(runbookBaseUrl);
    setUrlError(error);
    if (error || !datasourceUid || state.status === 'installing') {
      return;
    }
    setState({ status: 'installing' });
    try {
      const result = await installAlertRules({
        datasourceUid,
        portalUrl: normalizePortalUrl(runbookBaseUrl),
      });
      setState({ status: 'done', result });
    } catch (installError) {
      setState({
        status: 'error',
        message:
          installError instanceof Error
            ? installError.message
            : String(installError),
      });
    }
  };

  return (
    <FieldSet label="Alert rules" className={styles.section}>
      <p>
        Creates the tracing-health alert rules (pipeline, services, checks,
        collector, storage) as Grafana-managed rules in the folder “
        {ALERT_RULES_FOLDER.title}”. Installing again updates them in place.
      </p>
      <Field
        label="Prometheus data source"
        description="The Prometheus that scrapes the portal (/api/tracing-health/metrics) and the tracing system."
      >
        <div data-testid={alertRulesTestIds.datasource}>
          <DataSourcePicker
            type="prometheus"
            current={datasourceUid ?? null}
            noDefault
            width={60}
            inputId="tracing-health-alerts-datasource"
            onChange={ds => setDatasourceUid(ds.uid)}
          />
        </div>
      </Field>
      <Field
        label="Runbook links"
        description="Base URL of the portal’s pages; each rule’s runbook_url is <URL>/tracing-health/runbooks/<id>."
        invalid={Boolean(urlError)}
        error={urlError}
      >
        <Input
          width={60}
          id="tracing-health-alerts-runbook-base-url"
          data-testid={alertRulesTestIds.runbookBaseUrl}
          value={runbookBaseUrl}
          onChange={(event: ChangeEvent<HTMLInputElement>) => {
            setRunbookBaseUrl(event.target.value);
            setUrlError(undefined);
          }}
        />
      </Field>

      {state.status === 'done' && (
        <Alert severity="success" title="Alert rules installed">
          <p>
            {state.result.rules} rules in {state.result.groups.length} groups (
            {state.result.groups.join(', ')}) in the folder “
            {state.result.folder.title}”.
          </p>
          <LinkButton
            variant="secondary"
            icon="bell"
            href={`/alerting/list?search=${encodeURIComponent(
              `namespace:"${state.result.folder.title}"`,
            )}`}
          >
            Open the alert rules
          </LinkButton>
        </Alert>
      )}
      {state.status === 'error' && (
        <Alert severity="error" title="Could not install the alert rules">
          {state.message}
        </Alert>
      )}

      <Button
        type="button"
        icon="bell"
        data-testid={alertRulesTestIds.install}
        disabled={!datasourceUid || state.status === 'installing'}
        onClick={onInstall}
      >
        {state.status === 'installing' ? 'Installing…' : 'Install alert rules'}
      </Button>
    </FieldSet>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({
    marginTop: theme.spacing(5),
  }),
});
