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

/** GETs `url` and reads the whole body; the signal aborts both. Throws on network errors. */
export async function httpProbe(
  url: string,
  options: { signal: AbortSignal; headers?: Record<string, string> },
): Promise<HttpProbeResult> {
  const { url: bare, headers } = withBasicAuth(url, options.headers);
  const started = performance.now();
  const response = await fetch(bare, {
    signal: options.signal,
    headers,
    redirect: 'follow',
  });
  const body = await response.text();
  return {
    status: response.status,
    body,
    latencyMs: performance.now() - started,
  };
}

/** GETs `url` and parses a 2xx JSON body; anything else throws with the status and a snippet. */
export async function httpJson<T>(
  url: string,
  options: { signal: AbortSignal; headers?: Record<string, string> },
): Promise<{ data: T; latencyMs: number }> {
  const result = await httpProbe(url, {
    ...options,
    headers: { accept: 'application/json', ...options.headers },
  });
  if (result.status < 200 || result.status > 299) {
    throw new Error(
      `${url} answered ${result.status}: ${result.body.slice(0, 200)}`,
    );
  }
  try {
    return { data: JSON.parse(result.body) as T, latencyMs: result.latencyMs };
  } catch {
    throw new Error(`${url} did not answer JSON: ${result.body.slice(0, 200)}`);
  }
}

/** Joins a base URL and a path without doubling or losing slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
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
