import { ExportTraceServiceRequestCodec } from './otlpRoot';
import {
  MAX_INTEGER_STRING_LENGTH,
  OtlpJsonError,
  parseExportRequestJson,
  stringifyExportRequestJson,
} from './otlpJson';
import { makeRequest } from '../testing/fixtures';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function request(
  span: Record<string, unknown>,
  resource: unknown = {
    attributes: [{ key: 'service.name', value: { stringValue: 'x' } }],
  },
) {
  return JSON.stringify({
    resourceSpans: [
      { resource, scopeSpans: [{ scope: { name: 's' }, spans: [span] }] },
    ],
  });
}

describe('parseExportRequestJson', () => {
  it('parses the OTLP JSON example into the model', () => {
    const [rs] = parseExportRequestJson(
      request({
        traceId: TRACE,
        spanId: SPAN,
        parentSpanId: '',
        name: 'I am a span!',
        startTimeUnixNano: '1544712660000000000',
        endTimeUnixNano: 1544712661000000000n.toString(),
        kind: 2,
        attributes: [
          { key: 'my.span.attr', value: { stringValue: 'some value' } },
          { key: 'i', value: { intValue: '42' } },
          { key: 'big', value: { intValue: '-9223372036854775808' } },
          { key: 'd', value: { doubleValue: 1.5 } },
          { key: 'b', value: { boolValue: false } },
          { key: 'bytes', value: { bytesValue: 'aGk=' } },
          {
            key: 'arr',
            value: {
              arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] },
            },
          },
          {
            key: 'kv',
            value: {
              kvlistValue: {
                values: [{ key: 'n', value: { boolValue: true } }],
              },
            },
          },
        ],
        events: [{ timeUnixNano: 1, name: 'e' }],
        links: [{ traceId: TRACE, spanId: SPAN, flags: 1 }],
        status: { code: 2, message: 'boom' },
        someFutureField: { ignored: true },
      }),
    );
    const span = rs.scopeSpans![0].spans![0];
    expect(Buffer.from(span.traceId!).toString('hex')).toBe(TRACE);
    expect(Buffer.from(span.spanId!).toString('hex')).toBe(SPAN);
    expect(span.parentSpanId).toHaveLength(0);
    expect(String(span.startTimeUnixNano)).toBe('1544712660000000000');
    expect(span.kind).toBe(2);
    expect(span.status).toEqual({ code: 2, message: 'boom' });
    const attrs = Object.fromEntries(
      span.attributes!.map(a => [a.key, a.value]),
    );
    expect(attrs.i).toEqual({ intValue: 42 });
    expect(String(attrs.big!.intValue)).toBe('-9223372036854775808');
    expect(Buffer.from(attrs.bytes!.bytesValue!).toString()).toBe('hi');
    expect(attrs.arr!.arrayValue!.values).toEqual([
      { stringValue: 'a' },
      { intValue: 1 },
    ]);

    const encoded = ExportTraceServiceRequestCodec.encode({
      resourceSpans: [rs],
    }).finish();
    const decoded = ExportTraceServiceRequestCodec.toObject(
      ExportTraceServiceRequestCodec.decode(encoded),
      { longs: String },
    );
    const decodedSpan = (decoded.resourceSpans as any)[0].scopeSpans[0]
      .spans[0];
    expect(decodedSpan.startTimeUnixNano).toBe('1544712660000000000');
    expect(decodedSpan.attributes[2].value.intValue).toBe(
      '-9223372036854775808',
    );
  });

  it('accepts enum names as a courtesy', () => {
    const [rs] = parseExportRequestJson(
      request({
        traceId: TRACE,
        spanId: SPAN,
        kind: 'SPAN_KIND_CLIENT',
        status: { code: 'STATUS_CODE_OK' },
      }),
    );
    expect(rs.scopeSpans![0].spans![0].kind).toBe(3);
    expect(rs.scopeSpans![0].spans![0].status!.code).toBe(1);
  });

  it.each([
    ['not JSON', '{', 'invalid JSON'],
    ['root array', '[]', '(root): must be an object'],
    [
      'resourceSpans not an array',
      '{"resourceSpans":{}}',
      'resourceSpans: must be an array',
    ],
    [
      'non-hex trace id',
      request({ traceId: 'zz'.repeat(16), spanId: SPAN }),
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: invalid hex string',
    ],
    [
      'odd-length span id',
      request({ traceId: TRACE, spanId: 'abc' }),
      'spans[0].spanId: invalid hex string',
    ],
    [
      'base64 trace id',
      request({ traceId: 'W47/95gDgQPSabYzgT/GDA==', spanId: SPAN }),
      'traceId: invalid hex string',
    ],
    ['numeric name', request({ name: 5 }), 'spans[0].name: must be a string'],
    [
      'float kind',
      request({ kind: 1.5 }),
      'spans[0].kind: must be an enum integer',
    ],
    [
      'time as float',
      request({ startTimeUnixNano: 1.5 }),
      'startTimeUnixNano: must be a 64-bit integer',
    ],
    [
      'time as words',
      request({ startTimeUnixNano: 'soon' }),
      'startTimeUnixNano: must be an unsigned 64-bit integer',
    ],
    [
      'negative fixed64',
      request({ endTimeUnixNano: '-1' }),
      'endTimeUnixNano: must be an unsigned',
    ],
    [
      'int64 overflow',
      request({
        attributes: [{ key: 'k', value: { intValue: '99999999999999999999' } }],
      }),
      'intValue: out of 64-bit range',
    ],
    [
      'attributes as object',
      request({ attributes: { k: 'v' } }),
      'spans[0].attributes: must be an array',
    ],
    [
      'attribute key as number',
      request({ attributes: [{ key: 1 }] }),
      'attributes[0].key: must be a string',
    ],
    [
      'bool as string',
      request({ attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }),
      'boolValue: must be a boolean',
    ],
    [
      'bad base64',
      request({ attributes: [{ key: 'k', value: { bytesValue: '@@' } }] }),
      'bytesValue: invalid base64',
    ],
    [
      'span as string',
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: ['x'] }] }] }),
      'spans[0]: must be an object',
    ],
    [
      'resource as array',
      request({}, []),
      'resourceSpans[0].resource: must be an object',
    ],
    [
      'dropped count negative',
      request({ droppedAttributesCount: -1 }),
      'droppedAttributesCount: must be an unsigned 32-bit integer',
    ],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseExportRequestJson(text)).toThrow(message);
  });

  describe('over-long integer strings', () => {
    // BigInt() is quadratic in the digits: 32 million of them blocked the process for 18 s.
    const huge = '9'.repeat(2_000_000);
    it.each([
      [
        'startTimeUnixNano',
        { startTimeUnixNano: huge },
        'spans[0].startTimeUnixNano',
      ],
      [
        'endTimeUnixNano',
        { endTimeUnixNano: huge },
        'spans[0].endTimeUnixNano',
      ],
      [
        'an event time',
        { events: [{ timeUnixNano: huge }] },
        'spans[0].events[0].timeUnixNano',
      ],
      [
        'an intValue in an array',
        {
          attributes: [
            {
              key: 'k',
              value: { arrayValue: { values: [{ intValue: `-${huge}` }] } },
            },
          ],
        },
        'spans[0].attributes[0].value.arrayValue.values[0].intValue',
      ],
      [
        'a dropped count',
        { droppedEventsCount: huge },
        'spans[0].droppedEventsCount',
      ],
    ])('rejects a 2,000,000-digit %s before parsing it', (_n, span, field) => {
      let error: unknown;
      try {
        parseExportRequestJson(request(span));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OtlpJsonError);
      expect((error as Error).message).toMatch(
        `resourceSpans[0].scopeSpans[0].${field}: integer string too long (`,
      );
      expect((error as Error).message).toMatch(
        `at most ${MAX_INTEGER_STRING_LENGTH})`,
      );
    });

    it('still accepts the largest values, and leading zeros within the limit', () => {
      const [rs] = parseExportRequestJson(
        request({
          startTimeUnixNano: '18446744073709551615',
          endTimeUnixNano: `${'0'.repeat(12)}18446744073709551615`,
          attributes: [
            { key: 'k', value: { intValue: '-9223372036854775808' } },
          ],
        }),
      );
      const span = rs.scopeSpans![0].spans![0];
      expect(String(span.startTimeUnixNano)).toBe('18446744073709551615');
      expect(String(span.endTimeUnixNano)).toBe('18446744073709551615');
      expect(String(span.attributes![0].value!.intValue)).toBe(
        '-9223372036854775808',
      );
    });
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    const n = 100_000;
    const value = `${'{"arrayValue":{"values":['.repeat(
      n,
    )}{"stringValue":"x"}${']}}'.repeat(n)}`;
    const text = request({
      attributes: [{ key: 'k', value: 'VALUE' }],
    }).replace('"VALUE"', value);
    expect(() => parseExportRequestJson(text)).toThrow(
      /nested too deeply|invalid JSON/,
    );
  });

  it('rejects nesting beyond the limit', () => {
    const n = 40;
    const value = `${'{"arrayValue":{"values":['.repeat(
      n,
    )}{"stringValue":"x"}${']}}'.repeat(n)}`;
    const text = request({
      attributes: [{ key: 'k', value: 'VALUE' }],
    }).replace('"VALUE"', value);
    expect(() => parseExportRequestJson(text)).toThrow('nested too deeply');
  });
});

describe('stringifyExportRequestJson', () => {
  it('round-trips through the parser', () => {
    const original = makeRequest({ a: 2, b: 1 });
    const decoded = ExportTraceServiceRequestCodec.decode(
      ExportTraceServiceRequestCodec.encode(
        ExportTraceServiceRequestCodec.fromObject(original),
      ).finish(),
    );
    const text = stringifyExportRequestJson(decoded.resourceSpans!);
    expect(text).not.toContain('\n');
    const parsed = parseExportRequestJson(text);
    const norm = (x: unknown) =>
      ExportTraceServiceRequestCodec.toObject(
        ExportTraceServiceRequestCodec.fromObject(x),
        { longs: String, bytes: String },
      );
    expect(norm({ resourceSpans: parsed })).toEqual(norm(decoded));
    expect(
      JSON.parse(text).resourceSpans[0].scopeSpans[0].spans[0].traceId,
    ).toMatch(/^[0-9a-f]{32}$/);
  });
});
