import {
  LongLike,
  ResourceSpans,
  Span,
  SpanBatch,
  SPAN_KIND,
  STATUS_CODE,
} from '../otlp/model';

/** Test helpers: spans with readable ids (`a1` → bytes) and durations in milliseconds. */
export function id(name: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  Buffer.from(name).copy(Buffer.from(out.buffer), 0, 0, bytes);
  return out;
}

/** A protobufjs-style Long for an unsigned 64-bit value. */
export function longLike(value: bigint): LongLike {
  return {
    low: Number(value & 0xffffffffn) | 0,
    high: Number(value >> 32n) | 0,
    unsigned: true,
    toNumber: () => Number(value),
    toString: () => value.toString(),
  };
}

export interface TestSpan {
  trace: string;
  span: string;
  parent?: string;
  kind?: keyof typeof SPAN_KIND;
  status?: keyof typeof STATUS_CODE;
  ms: number;
}

export function span(s: TestSpan): Span {
  const start = 1_700_000_000_123_456_789n;
  return {
    traceId: id(s.trace, 16),
    spanId: id(s.span, 8),
    parentSpanId: s.parent ? id(s.parent, 8) : new Uint8Array(0),
    name: s.span,
    kind: SPAN_KIND[s.kind ?? 'SERVER'],
    startTimeUnixNano: longLike(start),
    endTimeUnixNano: longLike(start + BigInt(Math.round(s.ms * 1e6))),
    status: { code: STATUS_CODE[s.status ?? 'UNSET'] },
  };
}

export function batch(byService: Record<string, TestSpan[]>): SpanBatch {
  const resourceSpans: ResourceSpans[] = Object.entries(byService).map(
    ([service, spans]) => ({
      resource: {
        attributes: [{ key: 'service.name', value: { stringValue: service } }],
      },
      scopeSpans: [{ scope: { name: 'test' }, spans: spans.map(span) }],
    }),
  );
  const spanCount = Object.values(byService).reduce((n, s) => n + s.length, 0);
  return { resourceSpans, spanCount, bytes: spanCount * 100 };
}
