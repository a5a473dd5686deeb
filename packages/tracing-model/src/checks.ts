import { CheckStatus } from './metrics';
import { RunbookId } from './runbooks';

/** One thing a check measured, judged against its threshold. */
export interface CheckMeasurement {
  /** What was measured, e.g. `queueUtilization` (the key of its threshold in config). */
  name: string;
  /** What the measurement is about when a check looks at several, e.g. a service or a node. */
  subject?: string;
  status: CheckStatus;
  message: string;
  value?: number;
  unit?: string;
  /** The threshold that was crossed (or the nearest one when none was). */
  threshold?: number;
  runbookId: RunbookId;
}

/** The outcome of one run of one check. */
export interface CheckResult {
  checkId: string;
  checkType: string;
  /** The worst status of the measurements. */
  status: CheckStatus;
  message: string;
  value?: number;
  unit?: string;
  threshold?: number;
  /** What to do about `status`; every result names one. */
  runbookId: RunbookId;
  /** The OTel `service.name` this check concerns, when it concerns one. */
  service?: string;
  measurements: CheckMeasurement[];
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
}

/** A point of a check's history, as the sparkline draws it. */
export interface CheckHistoryPoint {
  status: CheckStatus;
  startedAt: string;
  value?: number;
}

/** A configured check with its latest result. */
export interface CheckSummary {
  id: string;
  type: string;
  title: string;
  /** The target with any credentials removed. */
  target?: string;
  service?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  latest?: CheckResult;
  /** When the current status began (ISO 8601). */
  statusSince?: string;
  /** The most recent runs, oldest first. */
  recent: CheckHistoryPoint[];
}

export interface ChecksResponse {
  items: CheckSummary[];
}

export interface CheckHistoryResponse {
  items: CheckResult[];
}

/** A runbook with its placeholders filled in for one service (or generic ones). */
export interface RunbookDocument {
  id: RunbookId;
  title: string;
  summary: string;
  markdown: string;
  /** The service's own runbook (`tracing-health/runbook-url`), shown before this one. */
  serviceRunbookUrl?: string;
}

export interface RunbookListResponse {
  items: Array<{ id: RunbookId; title: string; summary: string }>;
}

/** `GET /report?month=YYYY-MM` as JSON. */
export interface MonthlyReport {
  month: string;
  generatedAt: string;
  checks: Array<{
    checkId: string;
    checkType: string;
    title: string;
    /** Share (0..1) of the observed time the check was not critical; absent without data. */
    uptime?: number;
    observedSeconds: number;
    incidents: number;
  }>;
  incidents: Array<{
    checkId: string;
    startedAt: string;
    /** Absent while the incident is still open at the end of the month. */
    endedAt?: string;
    durationSeconds: number;
    message: string;
    runbookId: RunbookId;
  }>;
  coverage: {
    components: number;
    optedIn: number;
    /** Opted-in services seen recently; absent when no volume source is connected. */
    traced?: number;
    /** Mean completeness (0..1) over services that report one. */
    completeness?: number;
  };
}
