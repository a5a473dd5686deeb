import { ExporterConfig } from '../config';
import { Attempt } from './httpSender';

/** Where a batch's retries ended. */
export type RetryResult =
  /** The backend took the request (`rejected`: spans it refused in a partial success). */
  | { rejected: number; message: string }
  | 'stopped'
  | 'permanent_error'
  | 'retries_exhausted';

export interface RetryLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

const JITTER = 0.5;

/**
 * The Collector exporterhelper's retry policy: retryable failures are tried again after a
 * jittered exponential backoff (or the backend's Retry-After), until `maxElapsedMs` would pass;
 * permanent failures are not retried. `stop()` ends the waits and the loops.
 */
export class RetryPolicy {
  private readonly sleepers = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly config: ExporterConfig['retry'],
    private readonly logger: RetryLogger,
    private readonly random: () => number,
  ) {}

  stop(): void {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
  }

  async run(attempt: () => Promise<Attempt>): Promise<RetryResult> {
    const { initialIntervalMs, maxIntervalMs, maxElapsedMs } = this.config;
    const started = Date.now();
    let interval = initialIntervalMs;
    for (;;) {
      if (this.stopped) return 'stopped';
      const result = await attempt();
      switch (result.outcome) {
        case 'success':
          return { rejected: result.rejected, message: result.message };
        case 'stopped':
          return 'stopped';
        case 'permanent':
          this.logger.warn(
            `exporter ${this.name}: permanent export failure: ${result.detail}`,
          );
          return 'permanent_error';
        default: {
          const backoff = interval * (1 + JITTER * (2 * this.random() - 1));
          const delay = result.retryAfterMs ?? backoff;
          interval = Math.min(interval * 2, maxIntervalMs);
          if (Date.now() - started + delay > maxElapsedMs) {
            this.logger.warn(
              `exporter ${this.name}: giving up after retries: ${result.detail}`,
            );
            return 'retries_exhausted';
          }
          await this.sleep(delay);
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
