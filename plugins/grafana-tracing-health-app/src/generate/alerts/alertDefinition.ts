import { RunbookId } from '@internal/tracing-model';

/** Where an alert's metrics come from: the portal itself, or a system it watches. */
export type MetricSource =
  | 'project'
  | 'collector'
  | 'jaeger'
  | 'elasticsearch'
  | 'kafka';

export type Severity = 'critical' | 'warning';

/**
 * One alert, written as a signal compared with a threshold so that the same definition yields
 * the Prometheus rule (`signal > threshold`) and Grafana's provisioning format (query +
 * threshold expression), and so tests can check that the signal itself returns data.
 */
export interface AlertDefinition {
  alert: string;
  severity: Severity;
  runbook: RunbookId;
  source: MetricSource;
  /** PromQL of the measured value; returns data whenever the watched system reports. */
  signal: string;
  op: '>' | '<';
  threshold: number;
  for: string;
  summary: string;
  /** `value` is the template expression of the measured value (`$value` in Prometheus). */
  description: (value: string) => string;
  /**
   * The alert has a `service` label: its runbook link opens the runbook for that service, whose
   * links lead to the service's Tracing tab (its sampling card, where owners boost).
   */
  perService?: boolean;
}

export interface AlertGroupDefinition {
  name: string;
  interval: string;
  alerts: AlertDefinition[];
}

export interface AlertRuleOptions {
  /** Base URL of the portal's frontend; runbook links are `<portalUrl>/tracing-health/runbooks/<id>`. */
  portalUrl: string;
  /** Regex matching the `job` label of the OpenTelemetry Collector scrape targets. */
  collectorJob: string;
  /** Fleet-wide traces per second below which the low-volume alert fires. */
  minTracesPerSecond: number;
}

export const DEFAULT_ALERT_RULE_OPTIONS: AlertRuleOptions = {
  portalUrl: 'http://127.0.0.1:3000',
  collectorJob: '.*otel.*collector.*|otelcol.*',
  minTracesPerSecond: 0.1,
};

/** The rule group evaluation interval. */
export const INTERVAL = '1m';
/** The rate window of every alert. */
export const WINDOW = '5m';
