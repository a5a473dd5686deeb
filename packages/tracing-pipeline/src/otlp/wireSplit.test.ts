import { randomBytes } from 'node:crypto';
import {
  encodeRequest,
  makeResourceSpans,
  makeSpan,
} from '../testing/fixtures';
import { bytesToHex, ResourceSpans } from './model';
import { ExportTraceServiceRequestCodec, WireFormatError } from './otlpRoot';
import { splitExportRequestBytes } from './wireSplit';

/** Owner 0 or 1 by the trace id's first byte; a span without one goes to owner 2. */
const ownerOf = (id: Uint8Array | undefined) =>
  id && id.length ? id[0] % 2 : 2;

const asObjects = (resourceSpans: ResourceSpans[]) =>
  ExportTraceServiceRequestCodec.toObject(
    ExportTraceServiceRequestCodec.fromObject({ resourceSpans }),
    { longs: String, bytes: String },
  ).resourceSpans;

describe('splitExportRequestBytes', () => {
  const request = {
    resourceSpans: [
      {
        ...makeResourceSpans(
          'checkout',
          Array.from({ length: 20 }, () => makeSpan()),
        ),
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      },
      makeResourceSpans(
        'inventory',
        Array.from({ length: 20 }, () => makeSpan()),
      ),
    ],
  };
  request.resourceSpans[1].scopeSpans!.push({
    scope: { name: 'db' },
    schemaUrl: 'https://example.com/scope',
    spans: [makeSpan({ traceId: new Uint8Array(0) }), makeSpan()],
  });
  const body = encodeRequest(request);

  it('gives each owner its spans, with the resources, scopes and schema URLs they came with', () => {
    const parts = splitExportRequestBytes(body, body.length, 3, ownerOf);
    expect(parts.map(p => p?.spans)).toEqual(
      [0, 1, 2].map(
        owner =>
          request.resourceSpans
            .flatMap(rs => rs.scopeSpans!.flatMap(ss => ss.spans!))
            .filter(s => ownerOf(s.traceId as Uint8Array) === owner).length,
      ),
    );
    parts.forEach((part, owner) => {
      // What the owner's part holds: the request with every other owner's spans left out.
      const expected = request.resourceSpans
        .map(rs => ({
          ...rs,
          scopeSpans: rs
            .scopeSpans!.map(ss => ({
              ...ss,
              spans: ss.spans!.filter(
                s => ownerOf(s.traceId as Uint8Array) === owner,
              ),
            }))
            .filter(ss => ss.spans.length),
        }))
        .filter(rs => rs.scopeSpans.length);
      const decoded = ExportTraceServiceRequestCodec.decode(part!.bytes)
        .resourceSpans!;
      expect(asObjects(decoded)).toEqual(asObjects(expected));
    });
  });

  it('hands the body itself to an owner of every span, and nothing to the others', () => {
    const parts = splitExportRequestBytes(body, body.length, 2, () => 1);
    expect(parts[0]).toBeUndefined();
    expect(parts[1]!.bytes.equals(body)).toBe(true);
    expect(parts[1]!.spans).toBe(42);
  });

  it('reads only up to the length it is given', () => {
    const spare = Buffer.concat([body, randomBytes(7)]);
    const parts = splitExportRequestBytes(spare, body.length, 3, ownerOf);
    expect(parts.reduce((n, p) => n + (p?.spans ?? 0), 0)).toBe(42);
  });

  it('refuses framing that runs past its end', () => {
    // Cut inside a span: the span's length, and its scope's and resource's, run past the end.
    expect(() =>
      splitExportRequestBytes(body, body.length - 10, 3, ownerOf),
    ).toThrow(WireFormatError);
    const bogus = Buffer.from([0x0a, 0x05, 0x12, 0x10, 0x12, 0x00, 0x00]);
    expect(() =>
      splitExportRequestBytes(bogus, bogus.length, 3, ownerOf),
    ).toThrow(WireFormatError);
  });

  it('routes by the trace id bytes as the decoded span holds them', () => {
    const ids: string[] = [];
    splitExportRequestBytes(body, body.length, 3, id => {
      ids.push(id ? bytesToHex(id) : '');
      return 0;
    });
    expect(ids).toEqual(
      request.resourceSpans.flatMap(rs =>
        rs.scopeSpans!.flatMap(ss =>
          ss.spans!.map(s => bytesToHex(s.traceId as Uint8Array)),
        ),
      ),
    );
  });
});
