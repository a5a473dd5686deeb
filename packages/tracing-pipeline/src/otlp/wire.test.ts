import {
  ExportTraceServiceRequestCodec,
  InstrumentationScopeCodec,
  ResourceCodec,
  SpanCodec,
} from './otlpRoot';
import { encodeRequest, makeRequest, str } from '../testing/fixtures';
import {
  decodeExportRequest,
  encodeExportRequest,
  markModified,
  markResourceModified,
  markSpanModified,
} from './wire';

describe('decodeExportRequest / encodeExportRequest', () => {
  const body = encodeRequest(makeRequest({ a: 3, b: 2 }));

  it('decodes what the codec encodes', () => {
    const resourceSpans = decodeExportRequest(body);
    const reference =
      ExportTraceServiceRequestCodec.decode(body).resourceSpans!;
    expect(
      resourceSpans.map(rs =>
        ExportTraceServiceRequestCodec.toObject({ resourceSpans: [rs] }),
      ),
    ).toEqual(
      reference.map(rs =>
        ExportTraceServiceRequestCodec.toObject({ resourceSpans: [rs] }),
      ),
    );
  });

  it('decodes a body given with a spare byte, without copying it', () => {
    const spare = Buffer.concat([body, Buffer.from([0xff])]);
    const resourceSpans = decodeExportRequest(spare, body.length);
    expect(encodeExportRequest(resourceSpans).equals(body)).toBe(true);
  });

  it('re-uses received bytes of untouched resource spans', () => {
    expect(encodeExportRequest(decodeExportRequest(body)).equals(body)).toBe(
      true,
    );
  });

  it.each([
    [
      'an in-place change announced with markModified',
      (rs: any) => {
        rs.scopeSpans[0].spans[0].name = 'renamed';
        markModified(rs);
      },
    ],
    [
      'a replaced spans array',
      (rs: any) => {
        rs.scopeSpans[0].spans = rs.scopeSpans[0].spans.slice(1);
      },
    ],
    [
      'a spans array shortened in place',
      (rs: any) => {
        rs.scopeSpans[0].spans.pop();
      },
    ],
    [
      'a scope added',
      (rs: any) => {
        rs.scopeSpans.push({ spans: [] });
      },
    ],
    [
      'a span replaced in place',
      (rs: any) => {
        rs.scopeSpans[0].spans[1] = {
          ...rs.scopeSpans[0].spans[1],
          name: 'copy',
        };
      },
    ],
    [
      'a span changed and marked',
      (rs: any) => {
        rs.scopeSpans[0].spans[1].name = 'renamed';
        rs.scopeSpans[0].spans[1].attributes.push(str('added', 'yes'));
        markSpanModified(rs, rs.scopeSpans[0].spans[1]);
      },
    ],
    [
      'the resource changed and marked',
      (rs: any) => {
        rs.resource.attributes.push(str('deployment.environment', 'prod'));
        rs.scopeSpans[0].scope.name = 'other-scope';
        markResourceModified(rs);
      },
    ],
    [
      'both, with schema urls',
      (rs: any) => {
        rs.schemaUrl = 'https://opentelemetry.io/schemas/1.26.0';
        rs.scopeSpans[0].schemaUrl = 'https://opentelemetry.io/schemas/1.25.0';
        rs.resource.attributes.push(str('k', 'v'));
        markResourceModified(rs);
        rs.scopeSpans[0].spans[0].name = 'x'.repeat(300);
        markSpanModified(rs, rs.scopeSpans[0].spans[0]);
      },
    ],
  ])('re-encodes after %s', (_name, change) => {
    const resourceSpans = decodeExportRequest(body);
    change(resourceSpans[0]);
    const reencoded = ExportTraceServiceRequestCodec.decode(
      encodeExportRequest(resourceSpans),
    );
    expect(
      ExportTraceServiceRequestCodec.toObject(reencoded, {
        defaults: true,
        longs: String,
      }),
    ).toEqual(
      ExportTraceServiceRequestCodec.toObject(
        ExportTraceServiceRequestCodec.fromObject({ resourceSpans }),
        { defaults: true, longs: String },
      ),
    );
  });

  it('copies the spans it was not told about (the contract: mark what you change)', () => {
    const resourceSpans = decodeExportRequest(body);
    const spans = resourceSpans[0].scopeSpans![0].spans!;
    const original = spans[1].name;
    spans[0].name = 'renamed';
    markSpanModified(resourceSpans[0], spans[0]);
    spans[1].name = 'unannounced';
    const out = ExportTraceServiceRequestCodec.decode(
      encodeExportRequest(resourceSpans),
    );
    expect(
      out.resourceSpans![0].scopeSpans![0].spans!.map(s => s.name),
    ).toEqual(['renamed', original, original]);
  });

  it('copies untouched spans in runs, also when a span length came as a padded varint', () => {
    const varint = (value: number, padTo = 0) => {
      const out: number[] = [];
      let n = value;
      do {
        out.push(n >= 128 ? n % 128 | 0x80 : n);
        n = Math.floor(n / 128);
      } while (n > 0);
      while (out.length < padTo) {
        out[out.length - 1] |= 0x80;
        out.push(0);
      }
      return Buffer.from(out);
    };
    const field = (tag: number, bytes: Uint8Array, padTo = 0) =>
      Buffer.concat([Buffer.from([tag]), varint(bytes.length, padTo), bytes]);
    const request = makeRequest({ svc: 4 });
    const [rs] = request.resourceSpans!;
    const spanBytes = rs.scopeSpans![0].spans!.map(span =>
      SpanCodec.encode(span).finish(),
    );
    const scopeSpans = Buffer.concat([
      field(
        0x0a,
        InstrumentationScopeCodec.encode(rs.scopeSpans![0].scope!).finish(),
      ),
      ...spanBytes.map((b, i) => field(0x12, b, i === 1 ? 3 : 0)),
    ]);
    const resourceSpans = Buffer.concat([
      field(0x0a, ResourceCodec.encode(rs.resource!).finish()),
      field(0x12, scopeSpans),
    ]);
    const padded = field(0x0a, resourceSpans);

    const decoded = decodeExportRequest(padded);
    const spans = decoded[0].scopeSpans![0].spans!;
    spans[3].name = 'renamed';
    markSpanModified(decoded[0], spans[3]);
    const out = encodeExportRequest(decoded);
    // strictly framed (the strict decoder refuses a wrong length), with every value intact
    const again = decodeExportRequest(out)[0].scopeSpans![0].spans!;
    expect(again.map(span => span.name)).toEqual([
      ...rs.scopeSpans![0].spans!.slice(0, 3).map(span => span.name),
      'renamed',
    ]);
    expect(
      again.map(span => Buffer.from(span.spanId!).toString('hex')),
    ).toEqual(
      rs.scopeSpans![0].spans!.map(span =>
        Buffer.from(span.spanId!).toString('hex'),
      ),
    );
  });

  it('encodes objects that never came off the wire', () => {
    const request = makeRequest({ c: 2 });
    request.resourceSpans![0].resource!.attributes!.push(str('k', 'v'));
    const out = ExportTraceServiceRequestCodec.decode(
      encodeExportRequest(request.resourceSpans!),
    );
    expect(out.resourceSpans![0].resource!.attributes!.map(a => a.key)).toEqual(
      ['service.name', 'k'],
    );
  });

  it('skips unknown fields', () => {
    const withUnknown = Buffer.concat([
      Buffer.from([0x10, 0x05, 0x1a, 0x01, 0x00]),
      body,
    ]);
    expect(decodeExportRequest(withUnknown)).toHaveLength(2);
  });

  it('refuses a string running past the end of the body instead of clamping it', () => {
    const kv = Buffer.concat([
      Buffer.from([0x0a, 12]),
      Buffer.from('service.name'),
      Buffer.from([0x12, 3, 0x0a, 100, 0x78]),
    ]);
    const resource = Buffer.concat([Buffer.from([0x0a, kv.length]), kv]);
    const rs = Buffer.concat([Buffer.from([0x0a, resource.length]), resource]);
    const request = Buffer.concat([Buffer.from([0x0a, rs.length]), rs]);
    expect(() => decodeExportRequest(request)).toThrow('malformed');
  });

  it.each([
    ['truncated length', body.subarray(0, body.length - 1)],
    ['truncated varint', Buffer.from([0x0a, 0xff])],
    ['field number 0', Buffer.from([0x02, 0x00])],
    ['invalid wire type', Buffer.from([0x0f])],
    ['garbage inside a ResourceSpans', Buffer.from([0x0a, 0x02, 0xff, 0xff])],
  ])('throws on %s', (_name, bad) => {
    expect(() => decodeExportRequest(bad)).toThrow();
  });
});
