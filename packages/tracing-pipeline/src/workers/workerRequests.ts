import type { PipelineLogger } from '../pipeline';
import type { OtlpHttpRequest, OtlpHttpResponse } from '../receiver/receiver';
import { BodyBudget, readBodyWithinBudget } from './bodyBudget';
import { MainThreadAnswers, sentBytes } from './mainThreadAnswers';
import type { MainToWorker, WorkerToMain } from './protocol';
import type { Slot, WorkerSlots } from './workerSlots';

export interface WorkerRequestsOptions {
  workers: WorkerSlots;
  answers: MainThreadAnswers;
  budget: BodyBudget;
  /** The limit on a body as sent (`receiver.maxCompressedBodyBytes`, else `maxBodyBytes`). */
  maxCompressedBytes: number;
  /** A request not answered within this is its worker's death. */
  deadlineMs: number;
  logger: PipelineLogger;
}

/**
 * The request path on the main thread: a body, read within its limits, is transferred (not copied)
 * to the least busy worker and the request waits for that worker's answer; a worker that does not
 * answer within the deadline is killed, and a dead worker's requests are answered 503 +
 * Retry-After, so the clients retry and nothing they sent is lost.
 */
export class WorkerRequests {
  private nextRequest = 0;
  private roundRobin = 0;

  constructor(private readonly options: WorkerRequestsOptions) {}

  /** Handles one OTLP/HTTP export request; never rejects. */
  async route(request: OtlpHttpRequest): Promise<OtlpHttpResponse> {
    const { answers, budget, workers } = this.options;
    if (workers.stopping)
      return answers.unavailable(
        request.contentType,
        'shutting_down',
        'pipeline is shutting down',
        sentBytes(request.contentLength, 0),
      );
    const body = await readBodyWithinBudget(
      request,
      this.options.maxCompressedBytes,
      budget,
      answers,
    );
    if (!(body instanceof Uint8Array)) return body;
    // Its length is what is reserved (the body itself is gone once transferred).
    const reserved = body.byteLength;
    const slot = this.pick();
    if (!slot) {
      budget.release(reserved);
      return answers.unavailable(
        request.contentType,
        'unavailable',
        'no pipeline worker is available, retry later',
        sentBytes(request.contentLength, reserved),
      );
    }
    try {
      return await this.send(slot, request, body);
    } finally {
      budget.release(reserved);
    }
  }

  /** A worker's answer to a request it was handed. */
  answered(slot: Slot, m: Extract<WorkerToMain, { t: 'res' }>) {
    const f = slot.inFlight.get(m.id);
    if (!f) return;
    slot.inFlight.delete(m.id);
    clearTimeout(f.timer);
    f.resolve({
      status: m.status,
      headers: m.headers,
      body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength),
    });
  }

  /** A dead worker's requests in flight are answered 503: the clients retry. */
  failInFlight(slot: Slot, reason: string) {
    for (const [, f] of slot.inFlight) {
      clearTimeout(f.timer);
      f.resolve(
        this.options.answers.unavailable(
          'application/x-protobuf',
          'worker_exit',
          `pipeline worker stopped (${reason}), retry later`,
          0,
        ),
      );
    }
    slot.inFlight.clear();
  }

  private send(
    slot: Slot,
    request: OtlpHttpRequest,
    body: Uint8Array,
  ): Promise<OtlpHttpResponse> {
    const { deadlineMs, logger, workers } = this.options;
    const id = this.nextRequest++;
    return new Promise<OtlpHttpResponse>(resolve => {
      const timer = setTimeout(() => {
        logger.error(
          `pipeline worker ${slot.index} did not answer within ${deadlineMs} ms; replacing it`,
        );
        workers.kill(slot, 'unresponsive');
      }, deadlineMs);
      slot.inFlight.set(id, { resolve, timer });
      const m: MainToWorker = {
        t: 'req',
        id,
        contentType: request.contentType,
        contentEncoding: request.contentEncoding,
        body,
        routed: request.routed,
      };
      slot.worker.postMessage(m, [body.buffer]);
    });
  }

  /** The live worker with the fewest requests in flight, starting from the next in turn. */
  private pick(): Slot | undefined {
    const { slots } = this.options.workers;
    let best: Slot | undefined;
    const n = slots.length;
    for (let k = 0; k < n; k++) {
      const slot = slots[(this.roundRobin + k) % n];
      if (!slot || !slot.ready || slot.dead) continue;
      if (!best || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    this.roundRobin = (this.roundRobin + 1) % n;
    return best;
  }
}
