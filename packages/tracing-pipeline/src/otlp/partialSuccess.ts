import { int64ToNumber } from './model';
import { ExportTraceServiceResponseCodec } from './otlpRoot';

/** What a backend's successful OTLP response says it did not take. */
export interface PartialSuccess {
  /** Spans it rejected (`partial_success.rejected_spans`); 0 when it took them all. */
  rejected: number;
  /** Its reason, printable and at most 200 characters. */
  message: string;
}

const NONE: PartialSuccess = Object.freeze({ rejected: 0, message: '' });
const MAX_BODY = 64 * 1024;

/**
 * Reads `partial_success` from the body of a 2xx OTLP/HTTP response, protobuf or JSON (per
 * `content-type`). An empty or unreadable body means everything was accepted, as the OTLP spec
 * says for a response without `partial_success`.
 */
export function partialSuccessOf(
  body: Uint8Array,
  contentType: string | null,
): PartialSuccess {
  if (body.length === 0 || body.length > MAX_BODY) return NONE;
  let rejected: number;
  let message: unknown;
  try {
    if (contentType?.toLowerCase().includes('json')) {
      const partial = JSON.parse(
        Buffer.from(body).toString('utf8'),
      )?.partialSuccess;
      rejected = Number(partial?.rejectedSpans ?? 0);
      message = partial?.errorMessage;
    } else {
      const partial =
        ExportTraceServiceResponseCodec.decode(body).partialSuccess;
      rejected = int64ToNumber(partial?.rejectedSpans);
      message = partial?.errorMessage;
    }
  } catch {
    return NONE;
  }
  if (!Number.isFinite(rejected) || rejected <= 0) return NONE;
  return {
    rejected: Math.floor(rejected),
    message:
      typeof message === 'string'
        ? message
            .replace(/[^\x20-\x7e]+/g, ' ')
            .trim()
            .slice(0, 200)
        : '',
  };
}
