import { Span } from '../otlp/model';
import { SpanEncoder } from '../otlp/spanEncoder';
import { ReceivedSpans } from '../otlp/wire';

/** Bytes per shared chunk; a span larger than a quarter of it gets a buffer of its own. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Append-only storage for the protobuf bytes of spans the tail sampler holds. A span that arrived
 * as protobuf and is unchanged is copied from the request; any other is encoded. Spans share
 * large chunks (no object per span), and a chunk is freed by the GC once no held span refers to
 * it. Traces are decided within `decisionWait` of their first span, in about the order they
 * arrived, so chunks empty out in order and a chunk stays pinned at most one wait after it fills.
 */
export class SpanArena {
  private chunk: Buffer = Buffer.allocUnsafeSlow(0);
  private used = 0;
  /** Where the last `store` put its span: `length` bytes at `offset` of `buffer`. */
  buffer: Buffer = this.chunk;
  offset = 0;
  length = 0;

  /**
   * Stores the message bytes of `span` (without tag and length), at index `index` of its
   * ScopeSpans; `received` says where those spans arrived, when they arrived as protobuf.
   */
  store(span: Span, received: ReceivedSpans | undefined, index: number): void {
    if (received?.unchanged(index, span)) {
      const start = received.start(index);
      const end = received.end(index);
      this.reserve(end - start);
      received.buffer.copy(this.buffer, this.offset, start, end);
    } else {
      const encoder = new SpanEncoder();
      this.reserve(encoder.size(span));
      encoder.write(span, this.buffer, this.offset);
    }
  }

  private reserve(length: number): void {
    this.length = length;
    if (length > CHUNK_BYTES / 4) {
      this.buffer = Buffer.allocUnsafeSlow(length);
      this.offset = 0;
      return;
    }
    if (this.used + length > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
      this.used = 0;
    }
    this.buffer = this.chunk;
    this.offset = this.used;
    this.used += length;
  }
}
