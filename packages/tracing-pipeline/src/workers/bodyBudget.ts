import type { OtlpHttpRequest, OtlpHttpResponse } from '../receiver/receiver';
import { MainThreadAnswers, sentBytes } from './mainThreadAnswers';

/**
 * The main thread's body budget: bodies being read here or handed to a worker and not yet answered
 * share one byte budget (`receiver.maxInFlightBodyBytes`), reserved as they stream in, so many
 * slow or large requests at once cannot grow the portal's memory.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes of bodies held now. */
  heldBytes(): number {
    return this.held;
  }

  /** Reserves `bytes` unless that would pass the budget. */
  reserve(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number) {
    this.held -= bytes;
  }
}

/**
 * Reads a request's (compressed) body within its size limit and the budget: the body in one fresh
 * ArrayBuffer (never a pooled one, so it moves to a worker without a copy) with exactly its length
 * reserved, which the caller releases once the request is answered; or the main thread's answer
 * (413 past `maxBytes`, 503 + Retry-After past the budget, 400 if unreadable), nothing reserved.
 */
export async function readBodyWithinBudget(
  request: OtlpHttpRequest,
  maxBytes: number,
  budget: BodyBudget,
  answers: MainThreadAnswers,
): Promise<Uint8Array | OtlpHttpResponse> {
  const declared = Number(request.contentLength);
  if (Number.isFinite(declared) && declared > maxBytes)
    return answers.tooLarge(
      request.contentType,
      maxBytes,
      sentBytes(request.contentLength, 0),
    );
  let reserved = 0;
  if (Number.isFinite(declared) && declared > 0) {
    if (!budget.reserve(declared))
      return overBudget(request, budget, answers, 0);
    reserved = declared;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of request.body) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.byteLength;
      if (total > maxBytes) {
        budget.release(reserved);
        return answers.tooLarge(
          request.contentType,
          maxBytes,
          sentBytes(request.contentLength, total),
        );
      }
      if (total > reserved) {
        if (!budget.reserve(total - reserved)) {
          budget.release(reserved);
          return overBudget(request, budget, answers, total);
        }
        reserved = total;
      }
      chunks.push(bytes);
    }
  } catch (e) {
    budget.release(reserved);
    return answers.unreadable(request.contentType, e);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  chunks.length = 0;
  // A declared length longer than the body sent holds no more than what arrived.
  if (reserved > total) budget.release(reserved - total);
  return body;
}

function overBudget(
  request: OtlpHttpRequest,
  budget: BodyBudget,
  answers: MainThreadAnswers,
  read: number,
): OtlpHttpResponse {
  return answers.unavailable(
    request.contentType,
    'in_flight_bytes',
    `the portal holds ${budget.maxBytes} bytes of OTLP requests already, retry later`,
    sentBytes(request.contentLength, read),
    { connection: 'close' },
  );
}
