import {
  CLUSTER_METRICS,
  METRIC_PREFIX,
  PIPELINE_METRICS,
  SAMPLING_METRICS,
  SERVICE_GRAPH_METRICS,
  SPAN_METRICS,
} from '@internal/tracing-model';

import type {
  Panel,
  RowPanel,
} from '@grafana/grafana-foundation-sdk/dashboard';

import {
  AlertRuleOptions,
  DEFAULT_ALERT_RULE_OPTIONS,
  alertGroups,
} from './alertRules';
import { alertExpression } from './prometheusRules';
import { generatedDashboards } from './dashboards';

export interface GeneratedExpression {
  /** Where it comes from, e.g. `dashboard tracing-health-overview / Ingestion rate / A` or `alert TracingHealthQueueHigh (signal)`. */
  source: string;
  /** The expression as written in the dashboard or rule (may hold Grafana variables). */
  expr: string;
  /** The expression with Grafana variables replaced, ready for Prometheus' query API. */
  promql: string;
  /** True when it reads the portal's own `tracing_health_*` metrics. */
  projectMetric: boolean;
  /**
   * True when every project metric it reads counts incidents (refusals, drops, export
   * failures, redactions, orphans...): a labelled counter only appears after its first
   * increment, so such a query can be empty on a healthy portal.
   */
  onlyAfterEvents: boolean;
}

/** Counters of things that do not happen on a healthy portal with plain demo traffic. */
const EVENT_COUNTERS = new Set<string>([
  PIPELINE_METRICS.spansRefused,
  PIPELINE_METRICS.requestsRefused,
  PIPELINE_METRICS.requestsRefusedBytes,
  PIPELINE_METRICS.spansDropped,
  PIPELINE_METRICS.exportFailed,
  PIPELINE_METRICS.redactions,
  SPAN_METRICS.orphanSpans,
  SERVICE_GRAPH_METRICS.orphanServerSpans,
  SERVICE_GRAPH_METRICS.unpairedClientSpans,
  SAMPLING_METRICS.earlyDecisions,
  SAMPLING_METRICS.lateSpans,
  SAMPLING_METRICS.inconsistentThresholds,
  SAMPLING_METRICS.invalidTraceIds,
  // Registered only with tracingHealth.cluster, and counts replicas lost without stopping.
  CLUSTER_METRICS.lostSpans,
]);

/** The project metric names an expression reads (histogram series mapped to the histogram). */
export function projectMetricsIn(expr: string): string[] {
  const names = [...expr.matchAll(/tracing_health_[a-z0-9_]+/g)].map(match =>
    match[0].replace(/_(bucket|count|sum)$/, ''),
  );
  return [...new Set(names)];
}

/** Values for the Grafana variables the dashboards use, as a test or a CLI would pick them. */
export const DEFAULT_VARIABLE_VALUES: Record<string, string> = {
  __rate_interval: '5m',
  __interval: '1m',
  service: '.*',
};

/** Replaces `$var` / `${var}` with concrete values; throws on a variable without a value. */
export function substituteGrafanaVariables(
  expr: string,
  values: Record<string, string> = DEFAULT_VARIABLE_VALUES,
): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced, bare) => {
    const name = braced ?? bare;
    if (!(name in values)) {
      throw new Error(`No value for Grafana variable ${match} in: ${expr}`);
    }
    return values[name];
  });
}

function entry(
  source: string,
  expr: string,
  values: Record<string, string>,
): GeneratedExpression {
  const metrics = projectMetricsIn(expr);
  return {
    source,
    expr,
    promql: substituteGrafanaVariables(expr, values),
    projectMetric: expr.includes(METRIC_PREFIX),
    onlyAfterEvents:
      metrics.length > 0 && metrics.every(metric => EVENT_COUNTERS.has(metric)),
  };
}

/**
 * Every PromQL expression the app ships: each dashboard query, and for each alert rule both its
 * signal (the measured value, which returns data while the watched system reports) and its full
 * expression (which returns data only while the alert condition holds).
 */
export function allExpressions(
  options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
  values: Record<string, string> = DEFAULT_VARIABLE_VALUES,
): GeneratedExpression[] {
  const result: GeneratedExpression[] = [];
  for (const { dashboard } of generatedDashboards()) {
    const walk = (panels: (Panel | RowPanel)[] | undefined) => {
      for (const panel of panels ?? []) {
        if ('panels' in panel) {
          walk(panel.panels);
          continue;
        }
        for (const target of panel.targets ?? []) {
          // Every query the app ships is PromQL (Dataquery leaves the fields to the datasource).
          const { refId, expr } = target as { refId?: unknown; expr?: unknown };
          const source = `dashboard ${dashboard.uid} / ${panel.title} / ${refId}`;
          if (typeof expr !== 'string')
            throw new Error(`${source} has no PromQL expression`);
          result.push(entry(source, expr, values));
        }
      }
    };
    walk(dashboard.panels);
  }
  for (const group of alertGroups(options)) {
    for (const alert of group.alerts) {
      result.push(entry(`alert ${alert.alert} (signal)`, alert.signal, values));
      result.push(
        entry(`alert ${alert.alert} (rule)`, alertExpression(alert), values),
      );
    }
  }
  return result;
}

/**
 * The expressions that read the portal's own metrics and should return data whenever the
 * portal runs with traffic: dashboard queries and alert signals (not the alert conditions,
 * which are empty while all is well).
 */
export function projectMetricExpressions(
  options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
  values: Record<string, string> = DEFAULT_VARIABLE_VALUES,
): GeneratedExpression[] {
  return allExpressions(options, values).filter(
    expression =>
      expression.projectMetric && !expression.source.endsWith('(rule)'),
  );
}
