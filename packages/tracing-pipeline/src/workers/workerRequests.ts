import type { PipelineLogger } from '../pipeline';
import { decideRoutedHere } from '../routing/clusterRouting';
import type { ForwardOutcome, ForwardShare } from '../routing/clusterRouting';
import { combineAdmissions } from '../routing/shardRouting';
import type { OtlpHttpRequest, OtlpHttpResponse } from '../receiver/receiver';
import { BodyBudget, readBodyWithinBudget } from './bodyBudget';
import type { WorkerPoolCluster } from './clusterForwarding';
import { MainThreadAnswers, otlpError, sentBytes } from './mainThreadAnswers';
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
  /** Portal replicas: where the shares the workers split off for other replicas are queued. */
  cluster?: WorkerPoolCluster;
}

/**
 * The request path on the main thread: a body, read within its limits, is transferred (not copied)
 * to the worker owning its traces if the request says which, else to the least busy worker and the request waits for that worker's answer; a worker that does not
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
    const slot = this.ownerOf(request) ?? this.pick();
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
      const { response, forwards } = await this.send(slot, request, body);
      return forwards?.length
        ? await this.handOver(forwards, response, request)
        : response;
    } finally {
      budget.release(reserved);
    }
  }

  /**
   * Queues a request's shares for other replicas for their owners (see WorkerPoolCluster.forward),
   * then gives the worker's answer. A share the queue refuses at once (full, or its owner left) is
   * decided here instead, by a worker, as a routed request; if that is refused too, the request
   * gets the refusal, so the client sends it again.
   */
  private async handOver(
    shares: ForwardShare[],
    response: OtlpHttpResponse,
    request: OtlpHttpRequest,
  ): Promise<OtlpHttpResponse> {
    const { cluster } = this.options;
    const outcomes = await Promise.all(
      shares.map(
        (share): Promise<ForwardOutcome> =>
          cluster
            ? cluster
                .forward(share.peer, share.body, share.spans, share.shard)
                .catch(() => ({ ok: false, reason: 'internal_error' }))
            : Promise.resolve({ ok: false, reason: 'not_clustered' }),
      ),
    );
    const refused = shares.filter((_, i) => !outcomes[i].ok);
    if (!refused.length) return response;
    const decided = combineAdmissions(
      await Promise.all(
        refused.map(share =>
          decideRoutedHere({ handle: r => this.route(r) }, share.body),
        ),
      ),
    );
    if (decided.admitted || response.status !== 200) return response;
    return otlpError(
      request.contentType,
      decided.status,
      `spans owned by another replica could not be forwarded; ${decided.message}`,
      decided.retryAfterSeconds
        ? { 'retry-after': String(decided.retryAfterSeconds) }
        : {},
    );
  }

  /** A worker's answer to a request it was handed. */
  answered(slot: Slot, m: Extract<WorkerToMain, { t: 'res' }>) {
    const f = slot.inFlight.get(m.id);
    if (!f) return;
    slot.inFlight.delete(m.id);
    clearTimeout(f.timer);
    f.resolve(
      {
        status: m.status,
        headers: m.headers,
        body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength),
      },
      m.forwards,
    );
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
  ): Promise<{ response: OtlpHttpResponse; forwards?: ForwardShare[] }> {
    const { deadlineMs, logger, workers } = this.options;
    const id = this.nextRequest++;
    return new Promise(settle => {
      const resolve = (response: OtlpHttpResponse, forwards?: ForwardShare[]) =>
        settle({ response, forwards });
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

  /**
   * The worker whose traces these are, when the replica that routed them here split them by this
   * pool's workers (same count) and that worker is running; it finds them all its own.
   */
  private ownerOf(request: OtlpHttpRequest): Slot | undefined {
    const { shard } = request;
    const { slots } = this.options.workers;
    if (!shard || shard.of !== slots.length) return undefined;
    const slot = slots[shard.index];
    return slot?.ready && !slot.dead ? slot : undefined;
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
