import { Span, int64ToNumber } from '../otlp/model';
import { createReader } from '../otlp/otlpRoot';

/**
 * The few fields of a span that sampling decisions read on every trace. Attributes are left
 * out: they are read only by policies that ask for them.
 */
export interface SpanSummary {
  name: string;
  traceState: string;
  statusCode: number;
  kind: number;
  flags: number;
  /** No parent span id (absent or all zeros). */
  isRoot: boolean;
  /** Start and end as float nanoseconds: exact enough for durations, not for export. */
  startNs: number;
  endNs: number;
}

export function summarizeSpan(span: Span): SpanSummary {
  return {
    name: span.name ?? '',
    traceState: span.traceState ?? '',
    statusCode: span.status?.code ?? 0,
    kind: span.kind ?? 0,
    flags: span.flags ?? 0,
    isRoot: isEmptyId(span.parentSpanId),
    startNs: int64ToNumber(span.startTimeUnixNano),
    endNs: int64ToNumber(span.endTimeUnixNano),
  };
}

// Tags (field number << 3 | wire type) of the OTLP `Span` and `Status` fields read here.
const TRACE_STATE = (3 << 3) | 2;
const PARENT_SPAN_ID = (4 << 3) | 2;
const NAME = (5 << 3) | 2;
const KIND = (6 << 3) | 0;
const START = (7 << 3) | 1;
const END = (8 << 3) | 1;
const STATUS = (15 << 3) | 2;
const FLAGS = (16 << 3) | 5;
const STATUS_CODE = (3 << 3) | 0;

const TWO_32 = 2 ** 32;

/**
 * Reads the summary straight from a span's protobuf message bytes (`buffer[start, end)`),
 * skipping attributes, events and links instead of decoding them (several times cheaper than
 * decoding the span). The bytes were validated when they arrived or were encoded here.
 */
export function summarizeSpanBytes(
  buffer: Uint8Array,
  start: number,
  end: number,
): SpanSummary {
  const summary: SpanSummary = {
    name: '',
    traceState: '',
    statusCode: 0,
    kind: 0,
    flags: 0,
    isRoot: true,
    startNs: 0,
    endNs: 0,
  };
  const reader = createReader(buffer);
  reader.pos = start;
  reader.len = end;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case TRACE_STATE:
        summary.traceState = reader.string();
        break;
      case PARENT_SPAN_ID: {
        const length = reader.uint32();
        summary.isRoot = isEmptyId(
          buffer.subarray(reader.pos, reader.pos + length),
        );
        reader.pos += length;
        break;
      }
      case NAME:
        summary.name = reader.string();
        break;
      case KIND:
        summary.kind = reader.int32();
        break;
      case START:
        summary.startNs = reader.fixed32() + reader.fixed32() * TWO_32;
        break;
      case END:
        summary.endNs = reader.fixed32() + reader.fixed32() * TWO_32;
        break;
      case FLAGS:
        summary.flags = reader.fixed32();
        break;
      case STATUS: {
        const statusEnd = reader.uint32() + reader.pos;
        summary.statusCode = 0;
        while (reader.pos < statusEnd) {
          const statusTag = reader.uint32();
          if (statusTag === STATUS_CODE) summary.statusCode = reader.int32();
          else reader.skipType(statusTag & 7);
        }
        break;
      }
      default:
        reader.skipType(tag & 7);
    }
  }
  return summary;
}

function isEmptyId(id: Uint8Array | null | undefined): boolean {
  if (!id || id.length === 0) return true;
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return false;
  return true;
}
