import { AnyValue, KeyValue, Span } from './model';
import { SpanCodec } from './otlpRoot';
import { SpanEncoder } from './spanEncoder';
import { seededRandom } from '../testing/fixtures';

function encode(spans: Span[]): Buffer[] {
  const encoder = new SpanEncoder();
  const sizes = spans.map(s => encoder.size(s));
  const out = Buffer.alloc(sizes.reduce((a, b) => a + b, 0));
  let pos = 0;
  return spans.map((s, i) => {
    const end = encoder.write(s, out, pos);
    expect(end - pos).toBe(sizes[i]);
    const bytes = out.subarray(pos, end);
    pos = end;
    return bytes;
  });
}

const normal = (s: Span) =>
  SpanCodec.toObject(SpanCodec.decode(SpanCodec.encode(s).finish()), {
    longs: String,
    bytes: String,
    defaults: true,
  });
const mine = (bytes: Buffer) =>
  SpanCodec.toObject(SpanCodec.decode(bytes), {
    longs: String,
    bytes: String,
    defaults: true,
  });

describe('SpanEncoder', () => {
  it.each<[string, Span]>([
    ['an empty span', {}],
    [
      'ids, name, kind, times',
      {
        traceId: Buffer.alloc(16, 7),
        spanId: Buffer.alloc(8, 9),
        parentSpanId: Buffer.alloc(8, 1),
        name: 'GET /x',
        kind: 2,
        startTimeUnixNano: 1_700_000_000_123_456_789,
        endTimeUnixNano: 1_700_000_001_000_000_000,
      },
    ],
    [
      'Long times',
      {
        startTimeUnixNano: {
          low: -1,
          high: 0x7fffffff,
          unsigned: true,
          toNumber: () => 0,
          toString: () => '',
        },
      },
    ],
    [
      'flags and trace state',
      { flags: 0x301, traceState: 'ot=th:8;rv:abc', name: 'x' },
    ],
    ['negative kind', { kind: -1 }],
    ['status', { status: { code: 2, message: 'boom ✗' } }],
    ['empty status', { status: {} }],
    [
      'dropped counts',
      {
        droppedAttributesCount: 300,
        droppedEventsCount: 1,
        droppedLinksCount: 70000,
      },
    ],
    [
      'unicode strings',
      {
        name: 'héllo wörld 🎉 —',
        attributes: [{ key: 'ключ', value: { stringValue: '値'.repeat(100) } }],
      },
    ],
    [
      'every AnyValue kind',
      {
        attributes: [
          { key: 's', value: { stringValue: '' } },
          { key: 'b', value: { boolValue: false } },
          { key: 'i', value: { intValue: -5 } },
          { key: 'i0', value: { intValue: 0 } },
          { key: 'big', value: { intValue: 2 ** 52 + 1 } },
          { key: 'neg', value: { intValue: -(2 ** 40) } },
          { key: 'd', value: { doubleValue: -1.5 } },
          { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 255]) } },
          {
            key: 'arr',
            value: {
              arrayValue: {
                values: [
                  { stringValue: 'a' },
                  { intValue: 1 },
                  { arrayValue: { values: [] } },
                ],
              },
            },
          },
          {
            key: 'kv',
            value: {
              kvlistValue: {
                values: [
                  {
                    key: 'n',
                    value: {
                      kvlistValue: {
                        values: [{ key: 'deep', value: { boolValue: true } }],
                      },
                    },
                  },
                ],
              },
            },
          },
          { key: 'empty', value: {} },
          { key: 'novalue' },
        ],
      },
    ],
    [
      'events and links',
      {
        events: [
          {
            name: 'e',
            timeUnixNano: 5,
            attributes: [{ key: 'k', value: { stringValue: 'v' } }],
            droppedAttributesCount: 2,
          },
          {},
        ],
        links: [
          {
            traceId: Buffer.alloc(16, 3),
            spanId: Buffer.alloc(8, 4),
            traceState: 'a=b',
            flags: 1,
            attributes: [{ key: 'l', value: { intValue: 1 } }],
            droppedAttributesCount: 1,
          },
        ],
      },
    ],
  ])('%s encodes like the generated encoder', (_name, span) => {
    const [bytes] = encode([span]);
    expect(mine(bytes)).toEqual(normal(span));
  });

  it('writes a lone surrogate as U+FFFD, like Buffer', () => {
    const [bytes] = encode([{ name: 'a\ud800b' }]);
    expect(SpanCodec.decode(bytes).name).toBe('a\ufffdb');
  });

  it('agrees with the generated encoder on random spans', () => {
    const random = seededRandom(42);
    const int = (n: number) => Math.floor(random() * n);
    const text = () =>
      Array.from({ length: int(80) }, () =>
        String.fromCharCode(random() < 0.9 ? 32 + int(90) : int(0xd7ff)),
      ).join('');
    // Declared (hoisted) functions: value and attrs call each other.
    function attrs(depth: number): KeyValue[] {
      return Array.from({ length: int(6) }, () => ({
        key: text(),
        value: value(depth),
      }));
    }
    function value(depth: number): AnyValue {
      switch (int(depth > 2 ? 5 : 7)) {
        case 0:
          return { stringValue: text() };
        case 1:
          return { boolValue: random() < 0.5 };
        case 2:
          return { intValue: Math.round((random() - 0.5) * 2 ** int(60)) };
        case 3:
          return { doubleValue: (random() - 0.5) * 1e6 };
        case 4:
          return { bytesValue: Buffer.from(text()) };
        case 5:
          return {
            arrayValue: {
              values: Array.from({ length: int(4) }, () => value(depth + 1)),
            },
          };
        default:
          return { kvlistValue: { values: attrs(depth + 1) } };
      }
    }
    const spans: Span[] = Array.from({ length: 300 }, () => ({
      traceId: Buffer.from(Array.from({ length: 16 }, () => int(256))),
      spanId: Buffer.from(Array.from({ length: 8 }, () => int(256))),
      name: text(),
      kind: int(6),
      startTimeUnixNano: int(2 ** 31) * 2 ** 22,
      attributes: attrs(0),
      events: Array.from({ length: int(3) }, () => ({
        name: text(),
        timeUnixNano: int(1e9),
        attributes: attrs(1),
      })),
      status: random() < 0.5 ? { code: int(3), message: text() } : undefined,
    }));
    const encoded = encode(spans);
    spans.forEach((span, i) => expect(mine(encoded[i])).toEqual(normal(span)));
  });
});
