import { redactUrl } from './redact';

/** What one HTTP request to a check target returned. */
export interface HttpProbeResult {
  status: number;
  body: string;
  /** From sending the request to the end of the body. */
  latencyMs: number;
}

/**
 * fetch refuses URLs with credentials: move `user:password@` into a Basic Authorization header
 * (unless one is configured), so neither the request nor an error message carries them.
 */
export function withBasicAuth(
  url: string,
  headers: Record<string, string> = {},
): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url, headers };
  const credentials = `${decodeURIComponent(
    parsed.username,
  )}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  const hasAuth = Object.keys(headers).some(
    h => h.toLowerCase() === 'authorization',
  );
  return {
    url: parsed.toString(),
    headers: hasAuth
      ? headers
      : {
          ...headers,
          authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        },
  };
}

/** The most of a response body a probe reads; a larger body ends the probe with an error. */
export const MAX_PROBE_BODY_BYTES = 1024 * 1024;

/** Redirects a probe follows at most. */
export const MAX_PROBE_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function formatBytes(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`;
}

/** A response body over the probe's limit: the probe stopped reading it. */
export class ResponseTooLargeError extends Error {
  constructor(status: number, maxBytes: number) {
    super(
      `answered ${status} with a body over ${formatBytes(
        maxBytes,
      )}; stopped reading it`,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/** Reads at most `maxBytes` of the body as a stream; cancels it and throws beyond that. */
async function readCappedBody(
  response: Response,
  maxBytes: number,
): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(response.status, maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(response.status, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs `url` and reads its body, up to `maxBodyBytes` (default 1 MiB; beyond it throws
 * ResponseTooLargeError). Redirects are followed by hand, at most MAX_PROBE_REDIRECTS: the
 * configured `headers` and the target's credentials go only to the target's own origin, never to
 * another origin a redirect points to, and credentials in a Location are ignored. `accept` is
 * sent everywhere. The signal aborts everything. Throws on network errors.
 */
export async function httpProbe(
  url: string,
  options: {
    signal: AbortSignal;
    headers?: Record<string, string>;
    accept?: string;
    maxBodyBytes?: number;
  },
): Promise<HttpProbeResult> {
  const { url: bare, headers: secretHeaders } = withBasicAuth(
    url,
    options.headers,
  );
  const plain: Record<string, string> = options.accept
    ? { accept: options.accept }
    : {};
  const origin = new URL(bare).origin;
  let next = new URL(bare);
  const started = performance.now();
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(next, {
      signal: options.signal,
      headers: next.origin === origin ? { ...plain, ...secretHeaders } : plain,
      redirect: 'manual',
    });
    const location = response.headers.get('location');
    if (REDIRECT_STATUSES.has(response.status) && location) {
      await response.body?.cancel().catch(() => undefined);
      if (redirects >= MAX_PROBE_REDIRECTS) {
        throw new Error(
          `answered ${response.status}: more than ${MAX_PROBE_REDIRECTS} redirects`,
        );
      }
      next = new URL(location, next);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new Error(
          `answered ${response.status}: redirected to a ${next.protocol} URL`,
        );
      }
      next.username = '';
      next.password = '';
      continue;
    }
    const body = await readCappedBody(
      response,
      options.maxBodyBytes ?? MAX_PROBE_BODY_BYTES,
    );
    return {
      status: response.status,
      body,
      latencyMs: performance.now() - started,
    };
  }
}

/** GETs `url` and parses a 2xx JSON body; anything else throws with the status and a snippet. */
export async function httpJson<T>(
  url: string,
  options: { signal: AbortSignal; headers?: Record<string, string> },
): Promise<{ data: T; latencyMs: number }> {
  const result = await httpProbe(url, {
    ...options,
    accept: 'application/json',
  });
  if (result.status < 200 || result.status > 299) {
    throw new Error(
      `${redactUrl(url)} answered ${result.status}: ${result.body.slice(
        0,
        200,
      )}`,
    );
  }
  try {
    return { data: JSON.parse(result.body) as T, latencyMs: result.latencyMs };
  } catch {
    throw new Error(
      `${redactUrl(url)} did not answer JSON: ${result.body.slice(0, 200)}`,
    );
  }
}

/**
 * Appends a path (which may carry its own query) to a base URL without doubling or losing
 * slashes; a query on the base (e.g. `?token=`) is kept after the path.
 */
export function joinUrl(base: string, path: string): string {
  const hashless = base.split('#')[0];
  const q = hashless.indexOf('?');
  const root = q < 0 ? hashless : hashless.slice(0, q);
  const baseQuery = q < 0 ? '' : hashless.slice(q + 1);
  const p = path.indexOf('?');
  const pathPart = p < 0 ? path : path.slice(0, p);
  const pathQuery = p < 0 ? '' : path.slice(p + 1);
  const query = [pathQuery, baseQuery].filter(Boolean).join('&');
  return `${root.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}${
    query ? `?${query}` : ''
  }`;
}

/** Describes a fetch failure by its cause (e.g. ECONNREFUSED) rather than "fetch failed". */
export function describeError(error: unknown): string {
  // Duck-typed: errors from Node's fetch come from another realm under jest.
  const described = error as {
    message?: string;
    cause?: { message?: string; code?: string };
  };
  if (!described || typeof described.message !== 'string') return String(error);
  const cause = described.cause;
  if (cause && typeof cause.message === 'string') {
    return cause.code && !cause.message.includes(cause.code)
      ? `${cause.code}: ${cause.message}`
      : cause.message || String(cause.code);
  }
  return described.message;
}

/**
 * Why a probe of `what` failed: "<what> unreachable: ECONNREFUSED…" for network errors,
 * "<what> answered 200 with a body over 1 MiB; stopped reading it" for an oversized body.
 */
export function describeProbeFailure(what: string, error: unknown): string {
  const subject = what ? `${what} ` : '';
  return error instanceof ResponseTooLargeError
    ? `${subject}${error.message}`
    : `${subject}unreachable: ${describeError(error)}`;
}
