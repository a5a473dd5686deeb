import { ExportTraceServiceRequestCodec, SpanCodec } from './otlpRoot';

describe('the OTLP codec the pipeline uses', () => {
  it('carries the span fields of opentelemetry-proto 1.x (flags) through a round trip', () => {
    const span = {
      traceId: new Uint8Array(16).fill(1),
      spanId: new Uint8Array(8).fill(2),
      name: 'GET /',
      flags: 0x301,
      links: [
        {
          traceId: new Uint8Array(16).fill(3),
          spanId: new Uint8Array(8).fill(4),
          flags: 0x100,
        },
      ],
    };
    const decoded = SpanCodec.decode(SpanCodec.encode(span).finish());
    expect(decoded.flags).toBe(0x301);
    expect(decoded.links?.[0].flags).toBe(0x100);
    const request = ExportTraceServiceRequestCodec.decode(
      ExportTraceServiceRequestCodec.encode({
        resourceSpans: [
          {
            schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
            scopeSpans: [{ spans: [span] }],
          },
        ],
      }).finish(),
    );
    expect(request.resourceSpans?.[0].schemaUrl).toBe(
      'https://opentelemetry.io/schemas/1.30.0',
    );
    expect(request.resourceSpans?.[0].scopeSpans?.[0].spans?.[0].name).toBe(
      'GET /',
    );
  });
});
