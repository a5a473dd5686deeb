import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CheckMeasurement,
  CheckStatus,
  RunbookId,
} from '@internal/plugin-tracing-health-common';

/** Which side of a threshold is bad. */
export type ThresholdDirection = 'above' | 'below';

/** A threshold as configured (`thresholds.<measurement>`) or as a type's default. */
export interface Threshold {
  warning?: number;
  critical?: number;
  direction: ThresholdDirection;
}

/** A measurement a check type produces, with its default threshold and runbook. */
export interface MeasurementSpec {
  description: string;
  unit?: string;
  /** The default threshold; configuration may override `warning`, `critical` and `direction`. */
  threshold?: Threshold;
  /** What to do when this measurement is not ok (default: the type's runbook). */
  runbookId?: RunbookId;
}

/** Data a check keeps from one run to the next (e.g. counters, to compute rates). JSON only. */
export type CheckState = { [key: string]: unknown };

/** What a check type's `run` returns. */
export interface CheckOutcome {
  measurements: CheckMeasurement[];
  /** Handed to the next run as `previousState`, whichever replica runs it. */
  state?: CheckState;
}

/** Everything one run of a check gets. */
export interface CheckRunContext<TOptions = unknown> {
  checkId: string;
  /** The configured target (URL or host:port), when the type takes one. */
  target?: string;
  options: TOptions;
  /**
   * Request headers configured for the target (e.g. Authorization); secret. Send them to the
   * target's origin only (not across redirects). The runner redacts their values, the target's
   * credentials and sensitive query parameters from whatever the check returns, logs or throws.
   */
  headers?: Record<string, string>;
  /** The service the check concerns, when configured. */
  service?: string;
  /** Aborted when the run's timeout passes or the backend shuts down: pass it to every I/O. */
  signal: AbortSignal;
  logger: LoggerService;
  previousState?: CheckState;
  /** When the previous run started, if there was one. */
  previousRunAt?: Date;
  now(): Date;
  /**
   * Judges a value against the measurement's threshold (configured or default) and returns
   * the measurement to put into the outcome.
   */
  measure(
    name: string,
    value: number,
    details: { message: string; subject?: string },
  ): CheckMeasurement;
  /** A measurement with a status decided by the type (e.g. health endpoint answered 503). */
  verdict(
    name: string,
    status: CheckStatus,
    details: {
      message: string;
      subject?: string;
      value?: number;
      runbookId?: RunbookId;
    },
  ): CheckMeasurement;
}

/**
 * A kind of health check (`tracingHealth.checks[].type`). Other backend modules add their own
 * through `tracingHealthChecksExtensionPoint`.
 */
export interface CheckType<TOptions = unknown> {
  /** The `type` value in config, e.g. `otel-collector`. */
  type: string;
  description: string;
  /** What to do when a check of this type is not ok; must be one of RUNBOOK_IDS. */
  runbookId: RunbookId;
  /** Whether `target` must be, may be or must not be configured. */
  target: 'required' | 'optional' | 'none';
  /** The measurements this type produces, by name (the keys allowed under `thresholds`). */
  measurements: Record<string, MeasurementSpec>;
  /**
   * The status recorded when a run throws or does not finish before its timeout: `critical`
   * when that means the target is down (default), `unknown` when it only means the check
   * could not tell (e.g. the Prometheus it queries is down).
   */
  failureStatus?: 'critical' | 'unknown';
  /** Validates `options` at start-up; throw (a ZodError or an Error) to reject them. */
  parseOptions?(raw: unknown): TOptions;
  run(context: CheckRunContext<TOptions>): Promise<CheckOutcome>;
}
