import { ExporterConfig } from '../config';
import { partialSuccessOf } from '../otlp/partialSuccess';
import { PipelineMetrics } from '../telemetry/metrics';

/** What one POST came to. */
export type Attempt =
  /** `rejected` spans the backend refused in a partial success, with its reason. */
  | { outcome: 'success'; rejected: number; message: string }
  | {
      outcome: 'retryable' | 'network' | 'timeout';
      retryAfterMs?: number;
      detail: string;
    }
  | { outcome: 'permanent'; detail: string }
  | { outcome: 'stopped' };

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Parses Retry-After as delay-seconds or an HTTP-date; undefined when absent or unparsable. */
export function parseRetryAfter(
  value: string | null,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * One OTLP/HTTP protobuf POST of a gzipped `ExportTraceServiceRequest` with a per-attempt
 * timeout, its answer classified: success (with the backend's `partial_success` rejections),
 * retryable (429/502/503/504 with Retry-After, network errors, timeouts) or permanent.
 */
export class OtlpHttpSender {
  private readonly controllers = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly config: ExporterConfig,
    private readonly metrics: PipelineMetrics,
  ) {}

  /** Aborts the requests in flight (they answer `stopped`); later sends still run. */
  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.abort();
  }

  async send(body: Buffer): Promise<Attempt> {
    const controller = new AbortController();
    this.controllers.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.config.timeoutMs);
    const endTimer = this.metrics.exportDuration.startTimer({
      exporter: this.config.name,
    });
    let result: Attempt;
    try {
      const res = await fetch(this.config.endpoint, {
        method: 'POST',
        headers: {
          ...this.config.headers,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
        },
        body,
        signal: controller.signal,
      });
      const responseBody = await res.arrayBuffer().then(
        b => Buffer.from(b),
        () => Buffer.alloc(0),
      );
      const text = responseBody.subarray(0, 512).toString('utf8');
      if (res.ok)
        result = {
          outcome: 'success',
          ...partialSuccessOf(responseBody, res.headers.get('content-type')),
        };
      else if (RETRYABLE_STATUSES.has(res.status))
        result = {
          outcome: 'retryable',
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
          detail: `HTTP ${res.status}`,
        };
      else
        result = {
          outcome: 'permanent',
          detail: `HTTP ${res.status} ${text
            .replace(/[^\x20-\x7e]+/g, ' ')
            .trim()}`,
        };
    } catch (e) {
      if (this.stopped) result = { outcome: 'stopped' };
      else if (timedOut)
        result = {
          outcome: 'timeout',
          detail: `no response within ${this.config.timeoutMs} ms`,
        };
      else
        result = {
          outcome: 'network',
          detail: String((e as Error).cause ?? e),
        };
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    endTimer({ outcome: result.outcome });
    return result;
  }
}
