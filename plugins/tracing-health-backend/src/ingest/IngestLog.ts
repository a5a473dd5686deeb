import { LifecycleService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/** The pipeline's span totals the summary reports the change of. */
export interface IngestSpanTotals {
  received: number;
  refusedByReason: Record<string, number>;
  droppedByReason: Record<string, number>;
  exported: number;
}

/** One finished `/v1/traces` request. */
export interface IngestRequestRecord {
  method: string;
  status: number;
  /** The Content-Length the sender declared, if any. */
  bytes?: number;
  durationMs: number;
}

/** Distinct statuses counted per interval; more fold into "other" (statuses come from senders' requests). */
const MAX_STATUSES = 16;

function delta(
  now: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(now)) {
    const d = n - (before[key] ?? 0);
    if (d > 0) out[key] = d;
  }
  return out;
}

const sum = (r: Record<string, number>) =>
  Object.values(r).reduce((a, b) => a + b, 0);

const byReason = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');

/**
 * What the plugin logs about OTLP ingest: every request at debug only (the backend's request log
 * line for `/v1/traces` is turned off in app-config, `backend.logger.overrides`), and one info
 * line per interval with requests by status and the spans received, exported, refused and
 * dropped by reason, taken from the pipeline's accounting. Idle intervals log nothing.
 */
export class IngestLog {
  private readonly logger: LoggerService;
  private readonly spanTotals: () => IngestSpanTotals;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private requests = 0;
  private byStatus = new Map<string, number>();
  private lastTotals: IngestSpanTotals;
  private lastFlushAt: number;
  private timer?: NodeJS.Timeout;

  constructor(options: {
    logger: LoggerService;
    spanTotals: () => IngestSpanTotals;
    intervalSeconds?: number;
    now?: () => number;
  }) {
    this.logger = options.logger;
    this.spanTotals = options.spanTotals;
    this.intervalMs = (options.intervalSeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
    this.lastTotals = this.spanTotals();
    this.lastFlushAt = this.now();
  }

  /** Counts a finished request and logs it at debug. */
  request(record: IngestRequestRecord): void {
    this.requests++;
    const status = String(record.status);
    const key =
      this.byStatus.has(status) || this.byStatus.size < MAX_STATUSES
        ? status
        : 'other';
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    this.logger.debug(
      `OTLP ${record.method} /v1/traces ${record.status} ${
        record.bytes ?? '-'
      } bytes in ${Math.round(record.durationMs)} ms`,
    );
  }

  /** Logs the summary of what happened since the last one, if anything did. */
  flush(): void {
    const totals = this.spanTotals();
    const now = this.now();
    const received = totals.received - this.lastTotals.received;
    const exported = totals.exported - this.lastTotals.exported;
    const refused = delta(
      totals.refusedByReason,
      this.lastTotals.refusedByReason,
    );
    const dropped = delta(
      totals.droppedByReason,
      this.lastTotals.droppedByReason,
    );
    const seconds = Math.round((now - this.lastFlushAt) / 1000);
    const requests = this.requests;
    const statuses = [...this.byStatus].sort(([a], [b]) => a.localeCompare(b));
    this.requests = 0;
    this.byStatus = new Map();
    this.lastTotals = totals;
    this.lastFlushAt = now;
    if (requests === 0 && received === 0 && exported === 0) return;

    const parts = [
      `${requests} ${requests === 1 ? 'request' : 'requests'}${
        statuses.length
          ? ` (${statuses.map(([s, n]) => `${s}: ${n}`).join(', ')})`
          : ''
      }`,
      `${received} spans received`,
      `${exported} exported`,
    ];
    if (sum(refused) > 0)
      parts.push(`${sum(refused)} refused (${byReason(refused)})`);
    if (sum(dropped) > 0)
      parts.push(`${sum(dropped)} dropped (${byReason(dropped)})`);
    this.logger.info(
      `OTLP ingest (POST /v1/traces), last ${seconds} s: ${parts.join('; ')}`,
      {
        requests,
        spansReceived: received,
        spansExported: exported,
        spansRefused: sum(refused),
        spansDropped: sum(dropped),
      },
    );
  }

  /** Summarises every interval until stop. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the interval and logs what the last one saw. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }
}

/**
 * The plugin's ingest log: summaries every `tracingHealth.ingestLog.summarySeconds` (default 60)
 * from the pipeline's accounting, the last one at shutdown.
 */
export function startIngestLog(options: {
  config: Config;
  logger: LoggerService;
  lifecycle: LifecycleService;
  accounting: { snapshot(): IngestSpanTotals };
}): IngestLog {
  const key = 'tracingHealth.ingestLog.summarySeconds';
  const seconds = options.config.getOptionalNumber(key) ?? 60;
  if (!(seconds > 0)) {
    throw new Error(`${key} must be a positive number of seconds`);
  }
  const log = new IngestLog({
    logger: options.logger.child({ component: 'ingest' }),
    spanTotals: () => options.accounting.snapshot(),
    intervalSeconds: seconds,
  });
  log.start();
  options.lifecycle.addShutdownHook(() => log.stop());
  return log;
}
