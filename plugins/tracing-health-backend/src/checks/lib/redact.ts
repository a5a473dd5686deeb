import { LoggerService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/** What a redacted secret is replaced with. */
export const REDACTED = '****';

/** Secrets shorter than this are not replaced as literals (they would mangle ordinary words). */
const MIN_LITERAL_LENGTH = 4;

/** Headers whose configured values are not secrets. */
const PLAIN_HEADERS = new Set(['accept', 'content-type', 'user-agent']);

/**
 * Whether a query parameter or option name carries a secret: token, access_token, api_key,
 * apiKey, password, client_secret, sig, X-Amz-Signature, X-Amz-Credential, session, code…
 */
export function isSensitiveName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_.\s]/g, '');
  return (
    /token|secret|passw|pwd|apikey|signature|credential|session|auth|cookie|privatekey/.test(
      n,
    ) || ['sig', 'key', 'code', 'pass', 'jwt'].includes(n)
  );
}

// `://userinfo@`, greedy to the last "@" before the path as URL parsing does.
const USERINFO = /:\/\/[^/\s?#]*@/g;
// `?name=value`, `&name=value` or `;name=value` (also in fragments and bare request paths).
const QUERY_PARAM = /([?&;#])([^=&#\s"'<>?;]{1,100})=([^&#\s"'<>;]*)/g;
// An Authorization value echoed back, e.g. in an error page.
const AUTH_SCHEME = /\b(bearer|basic)(\s+)[a-z0-9\-._~+/]{8,}=*/gi;

/**
 * The one redaction of check output: strips `user:password@` from every URL in `text`, masks the
 * values of sensitive query parameters (token, access_token, api_key, password, sig…) and echoed
 * Bearer/Basic credentials, and replaces each literal value in `secrets` (a check's password,
 * tokens and header values, see `checkSecrets`). Every message, measurement, log line and error a
 * check produces passes through it.
 */
export function redactSecrets(
  text: string,
  secrets: readonly string[] = [],
): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(USERINFO, '://')
    .replace(QUERY_PARAM, (match, sep: string, name: string, value: string) =>
      isSensitiveName(name)
        ? // Punctuation after a URL ("<url>: error") is kept.
          `${sep}${name}=${REDACTED}${/[:,.)]*$/.exec(value)![0]}`
        : match,
    )
    .replace(AUTH_SCHEME, `$1$2${REDACTED}`);
}

/** A URL (or any text holding URLs) without credentials, for messages and the check list. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

function tryDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The literal secrets a check's configuration carries: the password of its target and of every
 * URL in its options (and the Basic credential built from it), sensitive query parameter values,
 * configured header values (and the token after "Bearer"/"Basic", decoded), and option values
 * under sensitive names. Longest first, so a secret containing another is replaced whole.
 */
export function checkSecrets(check: {
  target?: string;
  headers?: Record<string, string>;
  options?: unknown;
}): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    if (!value) return;
    for (const v of [value, tryDecode(value), encodeURIComponent(value)]) {
      if (v.length >= MIN_LITERAL_LENGTH) found.add(v);
    }
  };
  const fromUrl = (text: string) => {
    if (!text.includes('://')) return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return;
    }
    if (url.password) {
      add(url.password);
      const basic = `${tryDecode(url.username)}:${tryDecode(url.password)}`;
      add(basic);
      add(Buffer.from(basic).toString('base64'));
    }
    for (const [name, value] of url.searchParams) {
      if (isSensitiveName(name)) add(value);
    }
  };
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      fromUrl(value);
      if (isSensitiveName(key)) add(value);
    } else if (Array.isArray(value)) {
      value.forEach(v => walk(v, key));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };

  if (check.target) fromUrl(check.target);
  for (const [name, value] of Object.entries(check.headers ?? {})) {
    if (PLAIN_HEADERS.has(name.toLowerCase())) continue;
    add(value);
    const scheme = /^\s*(\S+)\s+(\S+)\s*$/.exec(value);
    if (scheme) {
      add(scheme[2]);
      if (scheme[1].toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
        add(decoded);
        add(decoded.slice(decoded.indexOf(':') + 1));
      }
    }
  }
  walk(check.options, '');
  return [...found].sort((a, b) => b.length - a.length);
}

const redactors = new WeakMap<object, (text: string) => string>();

/**
 * `redactSecrets` bound to one check's secrets (computed once per check definition): what the
 * runner applies to everything a run produces, and the read routes to what was stored before.
 */
export function checkRedactor(check: {
  target?: string;
  headers?: Record<string, string>;
  options?: unknown;
}): (text: string) => string {
  let redact = redactors.get(check);
  if (!redact) {
    const secrets = checkSecrets(check);
    redact = text => redactSecrets(text, secrets);
    redactors.set(check, redact);
  }
  return redact;
}

/** Applies `redact` to every string in a JSON-like value (results, measurements, state). */
export function redactStrings<T>(
  value: T,
  redact: (text: string) => string,
): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    return value.map(v => redactStrings(v, redact)) as T;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactStrings(v, redact)]),
    ) as T;
  }
  return value;
}

/** An error with the same name and a redacted message (and no stack or cause to leak through). */
export function redactError(
  error: unknown,
  redact: (text: string) => string,
): Error {
  const original = error as { name?: unknown; message?: unknown };
  const redacted = new Error(
    redact(
      typeof original?.message === 'string' ? original.message : String(error),
    ),
  );
  if (typeof original?.name === 'string') redacted.name = original.name;
  return redacted;
}

/** A logger that redacts every message and metadata value before passing it on. */
export function redactingLogger(
  logger: LoggerService,
  redact: (text: string) => string,
): LoggerService {
  const meta = (m?: Error | JsonObject) =>
    m instanceof Error ? redactError(m, redact) : redactStrings(m, redact);
  return {
    error: (message, m) => logger.error(redact(message), meta(m)),
    warn: (message, m) => logger.warn(redact(message), meta(m)),
    info: (message, m) => logger.info(redact(message), meta(m)),
    debug: (message, m) => logger.debug(redact(message), meta(m)),
    child: m => redactingLogger(logger.child(redactStrings(m, redact)), redact),
  };
}
