import { Span } from '../otlp/model';
import { SpanCodec } from '../otlp/otlpRoot';
import { summarizeSpan, summarizeSpanBytes } from './spanSummary';
import { makeSpan, randomBytes, seededRandom } from './testing';

const random = seededRandom(7);

function bytesOf(span: Span): Uint8Array {
  return SpanCodec.encode(span).finish();
}

describe('summarizeSpanBytes', () => {
  it('reads the same summary from the bytes as from the decoded span', () => {
    for (let i = 0; i < 300; i++) {
      const span = makeSpan({
        traceId: randomBytes(random, 16),
        parentSpanId: random() < 0.5 ? randomBytes(random, 8) : undefined,
        name: random() < 0.1 ? '' : `GET /α/${i}`,
        kind: Math.floor(random() * 6),
        error: random() < 0.3,
        startMs: 1_700_000_000_000 + i,
        durationMs: random() * 5000,
        traceState: random() < 0.5 ? `ot=th:8,rv:${i}` : undefined,
        attributes: { 'http.route': '/x', n: i, ok: true },
        flags: random() < 0.5 ? 0x301 : undefined,
      });
      span.events = [{ name: 'e', attributes: [] }];
      const bytes = bytesOf(span);
      // framed inside a larger buffer, as in the arena
      const buffer = new Uint8Array(bytes.length + 20);
      buffer.set(bytes, 7);
      expect(summarizeSpanBytes(buffer, 7, 7 + bytes.length)).toEqual(
        summarizeSpan(SpanCodec.decode(bytes)),
      );
    }
  });

  it('treats an all-zero parent id as a root and reads the status code past its message', () => {
    const span = makeSpan({
      traceId: randomBytes(random, 16),
      parentSpanId: new Uint8Array(8),
    });
    span.status = { message: 'went wrong', code: 2 };
    const bytes = bytesOf(span);
    const summary = summarizeSpanBytes(bytes, 0, bytes.length);
    expect(summary.isRoot).toBe(true);
    expect(summary.statusCode).toBe(2);
  });

  it('keeps 64-bit times to a double’s precision', () => {
    const span = makeSpan({ traceId: randomBytes(random, 16) });
    span.startTimeUnixNano = 1_700_000_000_123_456_000;
    span.endTimeUnixNano = 1_700_000_002_123_456_000;
    const bytes = bytesOf(span);
    const summary = summarizeSpanBytes(bytes, 0, bytes.length);
    expect(summary.endNs - summary.startNs).toBe(2e9);
  });
});
