// The OTLP protobuf codec, generated with protobufjs-cli from the opentelemetry-proto definitions
// vendored in packages/otlp-codec (its codecDrift.test.ts fails when the
// committed output and the generator disagree). The message shapes the pipeline relies on are
// typed in model.ts.
import { BufferReader } from 'protobufjs/minimal';
import { opentelemetry } from '@internal/otlp-codec';

export interface ProtobufReader {
  pos: number;
  /** Where reading stops (the end of the buffer, unless set lower). */
  len: number;
  uint32(): number;
  int32(): number;
  fixed32(): number;
  string(): string;
  skipType(wireType: number): unknown;
}

/** OTLP bytes that do not decode: the receiver answers 400. */
export class WireFormatError extends Error {}

/** Node's Buffer with its unlisted `utf8Slice`, which protobufjs' own reader uses as well. */
type NodeBuffer = Buffer & { utf8Slice(start: number, end: number): string };

/**
 * protobufjs' Buffer reader clamps a string that runs past the end of the message being decoded
 * to that end instead of failing; this one refuses it, as its other reads (bytes, skip) do.
 */
class BoundedBufferReader extends BufferReader {
  /**
   * protobufjs' varint read, without its per-call end-of-buffer checks when at least 5 bytes are
   * left (all a 32-bit varint can take); near the end, protobufjs' checked read.
   */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (this.len - pos < 5) return super.uint32();
    let byte = buf[pos++];
    let value = byte & 127;
    if (byte >= 128) {
      byte = buf[pos++];
      value |= (byte & 127) << 7;
      if (byte >= 128) {
        byte = buf[pos++];
        value |= (byte & 127) << 14;
        if (byte >= 128) {
          byte = buf[pos++];
          value |= (byte & 127) << 21;
          if (byte >= 128) {
            byte = buf[pos++];
            value |= (byte & 15) << 28;
            // A longer varint (a negative int32): protobufjs' read skips the rest.
            if (byte >= 128) return super.uint32();
          }
        }
      }
    }
    this.pos = pos;
    return value >>> 0;
  }

  string(): string {
    const at = this.pos;
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len)
      throw new WireFormatError(
        `malformed string at offset ${at}: ${length} bytes, ${
          this.len - start
        } left`,
      );
    this.pos = end;
    return (this.buf as NodeBuffer).utf8Slice(start, end);
  }
}

/** A reader of the protobufjs runtime the codec was generated for (a Reader passed to `decode`). */
export function createReader(buffer: Uint8Array): ProtobufReader {
  return new BoundedBufferReader(
    Buffer.isBuffer(buffer)
      ? buffer
      : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength),
  );
}

interface MessageType<T> {
  decode(reader: Uint8Array | ProtobufReader, length?: number): T;
  encode(message: T): { finish(): Uint8Array };
  fromObject(object: unknown): T;
  toObject(
    message: T,
    options?: Record<string, unknown>,
  ): Record<string, unknown>;
  verify(message: unknown): string | null;
}

/**
 * The generated classes typed by the pipeline's own model (model.ts), which names the fields the
 * pipeline reads; the generated declarations stay the source of truth for the wire format.
 */
function codec<T>(type: unknown): MessageType<T> {
  const generated = type as MessageType<T>;
  return {
    // Every decode reads through the bounded reader (one reader class keeps the generated code
    // monomorphic, and a string running past its message fails the same way everywhere).
    decode: (input, length) =>
      generated.decode(
        input instanceof Uint8Array ? createReader(input) : input,
        length,
      ),
    encode: message => generated.encode(message),
    fromObject: object => generated.fromObject(object),
    toObject: (message, options) => generated.toObject(message, options),
    verify: message => generated.verify(message),
  };
}

const v1 = opentelemetry.proto;

/** Codec of `ExportTraceServiceRequest`. */
export const ExportTraceServiceRequestCodec = codec<
  import('./model').ExportTraceServiceRequest
>(v1.collector.trace.v1.ExportTraceServiceRequest);

/** Codec of `ExportTraceServiceResponse`. */
export const ExportTraceServiceResponseCodec = codec<
  import('./model').ExportTraceServiceResponse
>(v1.collector.trace.v1.ExportTraceServiceResponse);

/** Codec of one `ResourceSpans`, the unit the wire helpers re-use without re-encoding. */
export const ResourceSpansCodec = codec<import('./model').ResourceSpans>(
  v1.trace.v1.ResourceSpans,
);

/** Codecs of the messages the wire helpers decode and encode one by one. */
export const ResourceCodec = codec<import('./model').Resource>(
  v1.resource.v1.Resource,
);
export const InstrumentationScopeCodec = codec<
  import('./model').InstrumentationScope
>(v1.common.v1.InstrumentationScope);
export const SpanCodec = codec<import('./model').Span>(v1.trace.v1.Span);
