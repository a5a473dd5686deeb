import { runbookPath, RunbookId } from '@internal/tracing-model';

import {
  AlertDefinition,
  AlertRuleOptions,
  DEFAULT_ALERT_RULE_OPTIONS,
} from './alerts/alertDefinition';
import { alertGroups } from './alertRules';

/** `a or b` at the top level binds looser than a comparison, so such signals need parentheses. */
function hasTopLevelSetOperator(expr: string): boolean {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const char = expr[i];
    if (char === '(' || char === '{' || char === '[') depth++;
    else if (char === ')' || char === '}' || char === ']') depth--;
    else if (depth === 0 && /^ (or|and|unless) /.test(expr.slice(i, i + 8))) {
      return true;
    }
  }
  return false;
}

/** The PromQL of an alert: its signal compared with its threshold. */
export function alertExpression(alert: AlertDefinition): string {
  const signal = hasTopLevelSetOperator(alert.signal)
    ? `(${alert.signal})`
    : alert.signal;
  return `${signal} ${alert.op} ${alert.threshold}`;
}

/** The portal page of an alert's runbook (for the alert's service, when it has one). */
export function runbookUrl(
  portalUrl: string,
  runbook: RunbookId,
  perService = false,
): string {
  const base = `${portalUrl.replace(/\/+$/, '')}${runbookPath(runbook)}`;
  return perService ? `${base}?service={{ $labels.service }}` : base;
}

/** A stable id for an alert (Grafana rule uid): the alert name in kebab case. */
export function alertUid(alertName: string): string {
  return alertName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** A rule of a Prometheus rule file. */
export interface PrometheusAlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  interval: string;
  rules: PrometheusAlertingRule[];
}

/** The rule groups of the Prometheus rule file. */
export function prometheusRuleGroups(
  options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
): PrometheusRuleGroup[] {
  return alertGroups(options).map(group => ({
    name: group.name,
    interval: group.interval,
    rules: group.alerts.map(alert => ({
      alert: alert.alert,
      expr: alertExpression(alert),
      for: alert.for,
      labels: { severity: alert.severity },
      annotations: {
        summary: alert.summary,
        description: alert.description('$value'),
        runbook_url: runbookUrl(
          options.portalUrl,
          alert.runbook,
          alert.perService,
        ),
      },
    })),
  }));
}
