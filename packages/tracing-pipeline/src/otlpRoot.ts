// The OTLP protobuf schema compiled by the OpenTelemetry JS project (protobufjs static module,
// generated from opentelemetry-proto). It is the maintained codec for the OTLP messages; its
// .d.ts only declares the root, so the message shapes we rely on are typed in model.ts.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports, @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

/** The protobufjs runtime the codec was generated with; a Reader passed to `decode` must be its own. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protobufRuntime = require(require.resolve('protobufjs/minimal', {
  paths: [
    require
      .resolve('@opentelemetry/otlp-transformer/package.json')
      .replace(/package\.json$/, ''),
  ],
}));

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

export function createReader(buffer: Uint8Array): ProtobufReader {
  return protobufRuntime.Reader.create(buffer);
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

const v1 = root.opentelemetry.proto;

/** Codec of `ExportTraceServiceRequest`. */
export const ExportTraceServiceRequestCodec: MessageType<
  import('./model').ExportTraceServiceRequest
> = v1.collector.trace.v1.ExportTraceServiceRequest;

/** Codec of `ExportTraceServiceResponse`. */
export const ExportTraceServiceResponseCodec: MessageType<
  import('./model').ExportTraceServiceResponse
> = v1.collector.trace.v1.ExportTraceServiceResponse;

/** Codec of one `ResourceSpans`, the unit the wire helpers re-use without re-encoding. */
export const ResourceSpansCodec: MessageType<import('./model').ResourceSpans> =
  v1.trace.v1.ResourceSpans;

/** Codecs of the messages the wire helpers decode and encode one by one. */
export const ResourceCodec: MessageType<import('./model').Resource> =
  v1.resource.v1.Resource;
export const InstrumentationScopeCodec: MessageType<
  import('./model').InstrumentationScope
> = v1.common.v1.InstrumentationScope;
export const SpanCodec: MessageType<import('./model').Span> = v1.trace.v1.Span;
