/* eslint-disable no-param-reassign -- the writers thread the output position through: pos = write(out, pos, ...) */
// Protobuf wire primitives for SpanEncoder: field sizes (varints, 64-bit integers, UTF-8 lengths)
// and writers that put a field straight into the output buffer and return the next position.
import { Int64 } from './model';

export function utf8Length(s: string): number {
  // Short strings are counted in JS (a native call costs more); ASCII counts its own length.
  if (s.length > 64) return Buffer.byteLength(s, 'utf8');
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (
      (c & 0xfc00) === 0xd800 &&
      i + 1 < s.length &&
      (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

export function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

export function framed(size: number): number {
  return 1 + varintSize(size) + size;
}

export function bytesFieldSize(bytes: Uint8Array | null | undefined): number {
  return bytes && bytes.length ? framed(bytes.length) : 0;
}

export function isZero(v: Int64 | null | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return v === 0;
  return v.low === 0 && v.high === 0;
}

/** Low and high 32 bits (two's complement) of an int64 value. */
export function bits(v: Int64): [low: number, high: number] {
  if (typeof v !== 'number') return [v.low >>> 0, v.high >>> 0];
  const negative = v < 0;
  const n = Math.abs(v);
  let low = n >>> 0;
  let high = Math.floor((n - low) / 4294967296) >>> 0;
  if (negative) {
    high = ~high >>> 0;
    low = ~low >>> 0;
    if (++low > 0xffffffff) {
      low = 0;
      if (++high > 0xffffffff) high = 0;
    }
  }
  return [low, high];
}

export function int64Size(v: Int64): number {
  const [low, high] = bits(v);
  if (high === 0) return varintSize(low);
  let n = 5;
  let h = high >>> 3;
  while (h > 0) {
    n++;
    h >>>= 7;
  }
  return Math.min(n, 10);
}

export function writeVarint(out: Buffer, pos: number, value: number): number {
  while (value > 0x7f) {
    out[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[pos++] = value;
  return pos;
}

export function writeInt32(out: Buffer, pos: number, value: number): number {
  return value < 0 ? writeInt64(out, pos, value) : writeVarint(out, pos, value);
}

export function writeInt64(out: Buffer, pos: number, v: Int64): number {
  let [low, high] = bits(v);
  while (high !== 0 || low > 0x7f) {
    out[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  out[pos++] = low;
  return pos;
}

export function writeFixed64(out: Buffer, pos: number, v: Int64): number {
  const [low, high] =
    typeof v === 'number'
      ? [v % 4294967296 >>> 0, Math.floor(v / 4294967296) >>> 0]
      : bits(v);
  out.writeUInt32LE(low, pos);
  out.writeUInt32LE(high, pos + 4);
  return pos + 8;
}

export function writeBytesField(
  out: Buffer,
  pos: number,
  tag: number,
  bytes: Uint8Array | null | undefined,
): number {
  if (!bytes || bytes.length === 0) return pos;
  out[pos++] = tag;
  pos = writeVarint(out, pos, bytes.length);
  out.set(bytes, pos);
  return pos + bytes.length;
}
