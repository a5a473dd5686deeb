// The JSON field readers under the OTLP/JSON parser (otlpJson.ts): each checks one value's type
// (proto3 JSON mapping) and names the offending path on failure.
import { Int64, LongLike } from './model';

export class OtlpJsonError extends Error {}

export type Json = Record<string, unknown>;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DECIMAL = /^-?\d+$/;
/**
 * The longest decimal string accepted for an integer field: 2^64 has 20 digits; a sign and some
 * leading zeros fit too. Checked before any parsing, because `BigInt()` takes quadratic time in
 * the number of digits (a 32-million-digit time blocked the process for 18 s).
 */
export const MAX_INTEGER_STRING_LENGTH = 32;
/**
 * Where a value sits, e.g. `resourceSpans[0].scopeSpans[1]`; undefined on the first, fast pass,
 * which builds no path strings. A failure there is parsed again with paths to name the spot.
 */
export type Path = string | undefined;

export const at = (path: Path, key: string): Path =>
  path === undefined ? undefined : `${path}.${key}`;
export const index = (path: Path, i: number): Path =>
  path === undefined ? undefined : `${path}[${i}]`;

export class FastPassFailure extends Error {}

export function fail(path: Path, message: string): never {
  if (path === undefined) throw new FastPassFailure(message);
  throw new OtlpJsonError(`${path}: ${message}`);
}

export function object(v: unknown, path: Path): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    fail(path, 'must be an object');
  return v as Json;
}

export function array(v: unknown, path: Path): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}

export function list<T>(
  v: unknown,
  path: Path,
  item: (v: unknown, path: Path) => T,
): T[] {
  const values = array(v, path);
  if (!values) return [];
  const out = new Array<T>(values.length);
  for (let i = 0; i < values.length; i++)
    out[i] = item(values[i], index(path, i));
  return out;
}

export function string(v: unknown, path: Path): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(path, 'must be a string');
  return v;
}

export function boolean(v: unknown, path: Path): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(path, 'must be a boolean');
  return v;
}

function tooLong(v: unknown, path: Path): void {
  if (typeof v === 'string' && v.length > MAX_INTEGER_STRING_LENGTH)
    fail(
      path,
      `integer string too long (${v.length} characters, at most ${MAX_INTEGER_STRING_LENGTH})`,
    );
}

export function uint32(v: unknown, path: Path): number | undefined {
  if (v === undefined || v === null) return undefined;
  tooLong(v, path);
  const n = typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
    fail(path, 'must be an unsigned 32-bit integer');
  return n;
}

export function enumValue(
  v: unknown,
  path: Path,
  names: Record<string, number>,
): number | undefined {
  if (typeof v === 'string' && v in names) return names[v];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v))
    fail(path, 'must be an enum integer');
  return v;
}

/** A LongLike (what the protobuf encoder accepts for 64-bit fields) for values beyond 2^53. */
class BigIntLong implements LongLike {
  readonly low: number;
  readonly high: number;
  constructor(private readonly value: bigint, readonly unsigned: boolean) {
    const bits = BigInt.asUintN(64, value);
    this.low = Number(bits & 0xffffffffn) | 0;
    this.high = Number(bits >> 32n) | 0;
  }
  toNumber(): number {
    return Number(this.value);
  }
  toString(): string {
    return this.value.toString();
  }
}

export function int64(
  v: unknown,
  path: Path,
  unsigned: boolean,
): Int64 | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || (unsigned && v < 0))
      fail(path, 'must be a 64-bit integer');
    return v;
  }
  tooLong(v, path);
  if (
    typeof v !== 'string' ||
    !DECIMAL.test(v) ||
    (unsigned && v.startsWith('-'))
  )
    fail(
      path,
      `must be a${
        unsigned ? 'n unsigned' : ''
      } 64-bit integer (number or decimal string)`,
    );
  const n = Number(v);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(v);
  if (unsigned ? big >= 2n ** 64n : big < -(2n ** 63n) || big >= 2n ** 63n)
    fail(path, 'out of 64-bit range');
  return new BigIntLong(big, unsigned);
}

export function double(v: unknown, path: Path): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)))
    return Number(v);
  return fail(path, 'must be a number');
}

export function hexId(v: unknown, path: Path): Uint8Array | undefined {
  const s = string(v, path);
  if (s === undefined) return undefined;
  // Buffer.from stops at the first non-hex pair, so a short result means invalid input.
  const bytes = Buffer.from(s, 'hex');
  if (s.length % 2 !== 0 || bytes.length * 2 !== s.length)
    fail(path, 'invalid hex string');
  return bytes;
}

export function base64(v: unknown, path: Path): Uint8Array | undefined {
  const s = string(v, path);
  if (s === undefined) return undefined;
  if (!BASE64.test(s)) fail(path, 'invalid base64 string');
  return Buffer.from(
    s,
    s.includes('-') || s.includes('_') ? 'base64url' : 'base64',
  );
}

export function hasOnlyKey(o: Json, key: string): boolean {
  for (const k in o) if (k !== key) return false;
  return true;
}
