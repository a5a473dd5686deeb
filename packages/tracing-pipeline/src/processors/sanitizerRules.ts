// The sanitizer's rules: the built-in defaults, their compilation (RE2 patterns, RegExp hints) and
// what replaces a match.
import { createHash } from 'node:crypto';
import {
  compileSafeRegex,
  SafeRegex,
  SafeRegexMatch,
} from '@internal/tracing-model';
import { RedactionAction, SanitizerRuleConfig } from '../config';
import { AnyValue } from '../otlp/model';

export const MASK = '****';

/**
 * A rule plus, for built-in value rules, a hint: a plain alternation of literals that every match
 * contains, run on JavaScript's RegExp as a cheap "might match" test (literal alternations take
 * linear time there). Every rule's own pattern, built-in or configured, runs on RE2.
 */
export interface SanitizerRule extends SanitizerRuleConfig {
  hint?: string;
}

/** Names whose value is a secret in `name=value`, `name: value`, `"name": "value"`. */
const SECRET_NAMES = [
  // any name ending in these, e.g. access_token, client_secret, db_password, x_api_key
  '[a-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|apikey|credential)',
  'pwd',
].join('|');

/**
 * Names whose value is a secret in `name=value` only (query strings, connection strings): with a
 * colon they are common in messages ("error code: 404"). Exact names: "status_code", "sort_key"
 * stay visible.
 */
const SECRET_PARAMETERS = [
  'key',
  'sig',
  'signature',
  'code',
  'auth',
  'x-amz-signature',
  'x-amz-credential',
  'x-goog-signature',
  'x-goog-credential',
  'sessionid',
  'session_id',
  'jsessionid',
].join('|');

/**
 * Rules applied unless `useDefaults: false`. Key patterns act on the whole value, value
 * patterns on the matching part of string values, bytes values (read as Latin-1), span and event
 * names, status messages, instrumentation scope names and versions and trace states (only on the
 * named group `secret` when the pattern has one, keeping the groups `pre` before it and `post`
 * after it). Patterns are case-insensitive RE2 (no lookaround, no back-references).
 */
export const DEFAULT_SANITIZER_RULES: SanitizerRule[] = [
  {
    name: 'credential-headers',
    key: '^http\\.(request|response)\\.header\\.(authorization|proxy[-_]authorization|cookie|set[-_]cookie|x[-_]api[-_]key)$',
    action: 'mask',
  },
  {
    name: 'secret-keys',
    // "tokens" stays visible: gen_ai.usage.input_tokens and friends are counts, not secrets.
    key: '(?:password|passwd|passphrase|secret|credential)s?(?:[^a-z]|$)|(?:token|api[-_ .]?key|private[-_ ]?key)(?:[^a-z]|$)|(?:^|[^a-z])pwd(?:[^a-z]|$)',
    action: 'mask',
  },
  {
    name: 'bearer-tokens',
    value: '\\b(bearer|basic)\\s+[a-z0-9\\-._~+/]{8,}=*',
    hint: 'bearer|basic',
    action: 'mask',
  },
  {
    name: 'jwts',
    value: '\\beyJ[a-z0-9_-]{5,}\\.eyJ[a-z0-9_-]{5,}\\.[a-z0-9_-]*',
    hint: 'eyJ',
    action: 'mask',
  },
  {
    name: 'url-passwords',
    value: '(?P<pre>://[^/\\s:@]+:)(?P<secret>[^/\\s@]+)(?P<post>@)',
    hint: '@',
    action: 'mask',
  },
  {
    // Query strings (url.full, http.url, url.query), fragments, form bodies, connection strings
    // (`Password=...;`, `pwd=...`, libpq `password=...`), JSON and YAML-ish text, SQL `password = '...'`.
    name: 'secret-parameters',
    value: `(?P<pre>(?:^|[^a-z0-9_.-])(?:(?:${SECRET_NAMES})["']?\\s*[:=]|(?:${SECRET_PARAMETERS})\\s*=)\\s*)(?P<secret>"[^"]*"|'[^']*'|\\{[^}]*\\}|[^\\s&#;,"'}]+)`,
    // Every name above contains one of these (api_key and apikey: "key").
    hint: 'token|secret|passw|pwd|key|sig|credential|code|auth|session',
    action: 'mask',
  },
  {
    // Oracle / MySQL: CREATE USER u IDENTIFIED BY 'x', IDENTIFIED WITH plugin BY 'x', IDENTIFIED BY x.
    name: 'sql-identified-by',
    value: `(?P<pre>\\bidentified\\s+(?:with\\s+[a-z0-9_]+\\s+)?by\\s+(?:password\\s+)?)(?P<secret>'(?:[^']|'')*'|"[^"]*"|[^\\s;,)]+)`,
    hint: 'identified',
    action: 'mask',
  },
  {
    // PostgreSQL and others: CREATE ROLE u WITH PASSWORD 'x', ALTER USER u ENCRYPTED PASSWORD 'x'.
    name: 'sql-password-literals',
    value: `(?P<pre>\\bpassword\\s+)(?P<secret>'(?:[^']|'')*')`,
    hint: 'password',
    action: 'mask',
  },
  {
    name: 'card-numbers',
    value: '\\b\\d(?:[ -]?\\d){12,18}\\b',
    // Eight digits in a row (separators allowed): bounded, so linear on RegExp.
    hint: '\\d[ -]?\\d[ -]?\\d[ -]?\\d[ -]?\\d[ -]?\\d[ -]?\\d[ -]?\\d',
    action: 'mask',
    check: 'luhn',
  },
];

/** Luhn checksum over the digits of `text` (separators ignored). */
export function passesLuhn(text: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    digits++;
    let d = c;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits >= 12 && sum % 10 === 0;
}

export interface CompiledRule {
  name: string;
  action: RedactionAction;
  key?: SafeRegex;
  value?: SafeRegex;
  check?: 'luhn';
  /** Built-in rules only: a literal alternation every match contains (native RegExp). */
  hint?: RegExp;
}

/** The compiled rules: key rules (with or without a value pattern), value-only rules. */
export interface CompiledRules {
  keyRules: CompiledRule[];
  valueRules: CompiledRule[];
  /** One case-insensitive alternation of the value rules' hints (or patterns): a cheap "might match" test. */
  anyValuePattern?: { test(text: string): boolean };
}

export function compileRules(rules: readonly SanitizerRule[]): CompiledRules {
  const compile = (source: string) =>
    compileSafeRegex(source, { ignoreCase: true });
  const compiled = rules.map(
    (r, i): CompiledRule => ({
      name: r.name ?? `rule-${i}`,
      action: r.action,
      key: r.key !== undefined ? compile(r.key) : undefined,
      value: r.value !== undefined ? compile(r.value) : undefined,
      check: r.check,
      hint: r.hint !== undefined ? new RegExp(r.hint, 'i') : undefined,
    }),
  );
  const keyRules = compiled.filter(r => r.key);
  const valueRules = compiled.filter(r => r.value && !r.key);
  let anyValuePattern: CompiledRules['anyValuePattern'];
  const hinted = valueRules.filter(r => r.hint);
  if (hinted.length === valueRules.length && hinted.length) {
    anyValuePattern = anyOf(hinted.map(r => r.hint!.source));
  } else if (valueRules.length) {
    // A configured value rule has no hint: every value goes to the rules (each tests on RE2).
    anyValuePattern = { test: () => true };
  }
  return { keyRules, valueRules, anyValuePattern };
}

/**
 * One case-insensitive "might match" test over the hints: the plain literal alternations as one
 * RegExp, any other hint (the card numbers' digit run) apart, which is twice as fast on V8 as
 * a single alternation of everything.
 */
function anyOf(hints: string[]): { test(text: string): boolean } {
  const literal = hints.filter(h => /^[\w@|]+$/.test(h));
  const other = hints.filter(h => !literal.includes(h));
  const tests = [
    ...(literal.length ? [new RegExp(literal.join('|'), 'i')] : []),
    ...other.map(h => new RegExp(h, 'i')),
  ];
  return { test: text => tests.some(re => re.test(text)) };
}

/** The replacement of one match; the match itself when it is not to be redacted. */
export function redact(rule: CompiledRule, m: SafeRegexMatch): string {
  const { pre, secret, post } = m.groups;
  const named = secret !== undefined;
  const value = named ? secret : m.text;
  // Already redacted by an earlier rule (e.g. a JWT in access_token=...): count it once.
  if (value === MASK) return m.text;
  if (rule.check === 'luhn' && !passesLuhn(value)) return m.text;
  const redacted = rule.action === 'hash' ? sha256(value) : MASK;
  return named ? `${pre ?? ''}${redacted}${post ?? ''}` : redacted;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function canonical(value: AnyValue | null | undefined): string {
  if (!value) return '';
  if (value.stringValue !== null && value.stringValue !== undefined)
    return value.stringValue;
  if (value.intValue !== null && value.intValue !== undefined)
    return String(value.intValue);
  if (value.doubleValue !== null && value.doubleValue !== undefined)
    return String(value.doubleValue);
  if (value.boolValue !== null && value.boolValue !== undefined)
    return String(value.boolValue);
  if (value.bytesValue) return Buffer.from(value.bytesValue).toString('base64');
  if (value.arrayValue)
    return JSON.stringify((value.arrayValue.values ?? []).map(canonical));
  if (value.kvlistValue)
    return JSON.stringify(
      (value.kvlistValue.values ?? []).map(kv => [kv.key, canonical(kv.value)]),
    );
  return '';
}
