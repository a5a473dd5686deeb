import { PIPELINE_METRICS } from '@internal/tracing-model';
import { Counter, Registry } from 'prom-client';
import type { OtlpHttpResponse } from '../receiver/receiver';

/** An OTLP/HTTP error answer (google.rpc.Status, code 14) in the request's content type. */
export function otlpError(
  contentType: string | null | undefined,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): OtlpHttpResponse {
  const json = /json/i.test(contentType ?? '');
  let body: Buffer;
  if (json) body = Buffer.from(JSON.stringify({ code: 14, message }));
  else {
    // google.rpc.Status { code = 1 (varint), message = 2 (string) }
    const text = Buffer.from(message, 'utf8');
    const len: number[] = [];
    let n = text.length;
    do {
      len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    body = Buffer.concat([Buffer.from([0x08, 14, 0x12, ...len]), text]);
  }
  return {
    status,
    headers: {
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      ...headers,
    },
    body,
  };
}

/** The bytes a request was sent with: its Content-Length, or what was read if more (or none). */
export function sentBytes(
  contentLength: string | number | null | undefined,
  read: number,
): number {
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > read ? declared : read;
}

/**
 * The answers the main thread gives without a worker (413, 503 + Retry-After, 400), and their
 * count in the pipeline's own request metrics, so the refusal alerts and dashboards see them in
 * either mode. Those metrics live in `registry`, merged with the workers' on collection.
 */
export class MainThreadAnswers {
  /** The main thread's share of the pipeline's request metrics, merged with the workers'. */
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: PIPELINE_METRICS.requests,
    help: 'OTLP/HTTP responses by status code.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly requestsRefused = new Counter({
    name: PIPELINE_METRICS.requestsRefused,
    help: 'OTLP/HTTP requests refused (429/503, 413 for size limits), most before their spans were counted.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly requestsRefusedBytes = new Counter({
    name: PIPELINE_METRICS.requestsRefusedBytes,
    help: 'Bytes as sent (Content-Length, or read) of refused OTLP/HTTP requests.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  /** Responses the main thread gave without a worker: what to count them as. */
  private readonly given = new WeakMap<
    OtlpHttpResponse,
    { reason?: string; bytes: number }
  >();

  constructor(
    /** `worker_refused_requests_total{reason}` on the portal's registry. */
    private readonly refusedRequests: Counter<'reason'>,
    private readonly retryAfterSeconds: number,
  ) {}

  /** Counts a response in the request metrics if the main thread gave it (no worker saw it). */
  count(response: OtlpHttpResponse) {
    const own = this.given.get(response);
    if (own) {
      this.requests.inc({ status: String(response.status) });
      if (own.reason) {
        this.requestsRefused.inc({ reason: own.reason });
        if (own.bytes > 0)
          this.requestsRefusedBytes.inc({ reason: own.reason }, own.bytes);
      }
    }
  }

  /** 503 + Retry-After, counted in `worker_refused_requests_total{reason}`. */
  unavailable(
    contentType: string | null | undefined,
    reason: string,
    message: string,
    bytes: number,
    headers?: Record<string, string>,
  ): OtlpHttpResponse {
    this.refusedRequests.inc({ reason });
    return this.mark(
      otlpError(contentType, 503, message, {
        'retry-after': String(this.retryAfterSeconds),
        ...headers,
      }),
      reason,
      bytes,
    );
  }

  /** 413 for a body past `limit` bytes as sent; the connection is closed. */
  tooLarge(
    contentType: string | null | undefined,
    limit: number,
    bytes: number,
  ): OtlpHttpResponse {
    return this.mark(
      otlpError(contentType, 413, `request body exceeds ${limit} bytes`, {
        connection: 'close',
      }),
      'too_large',
      bytes,
    );
  }

  /** 400 for a body that could not be read. */
  unreadable(
    contentType: string | null | undefined,
    error: unknown,
  ): OtlpHttpResponse {
    return this.mark(
      otlpError(
        contentType,
        400,
        `could not read request body: ${String(error)}`,
      ),
      undefined,
      0,
    );
  }

  private mark(
    response: OtlpHttpResponse,
    reason: string | undefined,
    bytes: number,
  ) {
    this.given.set(response, { reason, bytes });
    return response;
  }
}
