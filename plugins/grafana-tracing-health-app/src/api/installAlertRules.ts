import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { stringify } from 'yaml';

import { DEFAULT_ALERT_RULE_OPTIONS } from '../generate/alertRules';
import {
  PrometheusRuleGroup,
  alertUid,
  prometheusRuleGroups,
} from '../generate/prometheusRules';

/** The folder the app creates for its Grafana-managed alert rules. */
export const ALERT_RULES_FOLDER = {
  uid: 'tracing-health',
  title: 'Tracing Health',
};

/** Grafana's Prometheus-rules conversion API (the one `mimirtool rules load` talks to). */
export const CONVERT_API = '/api/convert/prometheus/config/v1/rules';

/** Grafana's label that fixes the uid of a converted rule, so a re-install updates in place. */
export const RULE_UID_LABEL = '__grafana_alert_rule_uid__';

export interface InstallAlertRulesOptions {
  /** UID of the Prometheus data source the rules query. */
  datasourceUid: string;
  /** Base URL of the portal's pages, for the rules' runbook_url. */
  portalUrl: string;
}

export interface InstallAlertRulesResult {
  folder: { uid: string; title: string };
  groups: string[];
  rules: number;
}

export class InstallAlertRulesError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'InstallAlertRulesError';
  }
}

function describe(step: string, error: unknown): InstallAlertRulesError {
  if (isFetchError<{ message?: string }>(error)) {
    const detail = error.data?.message || error.statusText;
    let hint = '';
    if (error.status === 401 || error.status === 403) {
      hint = ' You need permission to create folders and alert rules.';
    } else if (error.status === 404 && step.startsWith('Importing')) {
      hint =
        ' This Grafana has no Prometheus rule conversion API (Grafana 12 or later).';
    }
    return new InstallAlertRulesError(
      `${step}: HTTP ${error.status}${detail ? ` ${detail}` : ''}.${hint}`,
      error.status,
    );
  }
  return new InstallAlertRulesError(
    `${step}: ${error instanceof Error ? error.message : String(error)}`,
  );
}

async function request<T>(options: {
  url: string;
  method: string;
  data?: unknown;
  headers?: Record<string, string>;
}): Promise<T> {
  const response = await lastValueFrom(
    getBackendSrv().fetch<T>({
      ...options,
      showErrorAlert: false,
      showSuccessAlert: false,
    }),
  );
  return response.data;
}

type Folder = { uid: string; title: string };

function asFolder(step: string, body: unknown): Folder {
  const folder = body as Partial<Folder> | undefined;
  if (typeof folder?.uid !== 'string' || typeof folder?.title !== 'string') {
    throw new InstallAlertRulesError(
      `${step}: Grafana answered without a folder uid and title.`,
    );
  }
  return folder as Folder;
}

/** The app's folder: found by uid, or created at the root. */
async function ensureFolder(): Promise<Folder> {
  const lookup = 'Looking up the folder';
  try {
    return asFolder(
      lookup,
      await request({
        url: `/api/folders/${ALERT_RULES_FOLDER.uid}`,
        method: 'GET',
      }),
    );
  } catch (error) {
    if (error instanceof InstallAlertRulesError) {
      throw error;
    }
    if (!isFetchError(error) || error.status !== 404) {
      throw describe(lookup, error);
    }
  }
  const create = `Creating the folder "${ALERT_RULES_FOLDER.title}"`;
  let created: unknown;
  try {
    created = await request({
      url: '/api/folders',
      method: 'POST',
      data: ALERT_RULES_FOLDER,
    });
  } catch (error) {
    throw describe(create, error);
  }
  return asFolder(create, created);
}

/** A rule group as the conversion API takes it: the Prometheus group plus fixed rule uids. */
export function conversionRequestBody(group: PrometheusRuleGroup): string {
  return stringify(
    {
      ...group,
      rules: group.rules.map(rule => ({
        ...rule,
        labels: { ...rule.labels, [RULE_UID_LABEL]: alertUid(rule.alert) },
      })),
    },
    { lineWidth: 0 },
  );
}

/**
 * Creates (or updates) the tracing-health alert rules as Grafana-managed rules: makes sure the
 * folder exists, then posts each group of the Prometheus rule file (the same source as
 * src/alerts/tracing-health.rules.yaml, with runbook links to `portalUrl`) to Grafana's
 * conversion API, which turns the PromQL rules into Grafana rules on the chosen data source.
 */
export async function installAlertRules(
  options: InstallAlertRulesOptions,
): Promise<InstallAlertRulesResult> {
  const folder = await ensureFolder();
  const groups = prometheusRuleGroups({
    ...DEFAULT_ALERT_RULE_OPTIONS,
    portalUrl: options.portalUrl,
  });
  for (const group of groups) {
    try {
      await request({
        url: `${CONVERT_API}/${encodeURIComponent(folder.title)}`,
        method: 'POST',
        data: conversionRequestBody(group),
        headers: {
          'Content-Type': 'application/yaml',
          'X-Grafana-Alerting-Datasource-UID': options.datasourceUid,
        },
      });
    } catch (error) {
      throw describe(`Importing rule group ${group.name}`, error);
    }
  }
  return {
    folder,
    groups: groups.map(group => group.name),
    rules: groups.reduce((count, group) => count + group.rules.length, 0),
  };
}
