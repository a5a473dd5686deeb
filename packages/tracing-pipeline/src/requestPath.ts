import { SpanBatch } from './otlp/model';
import { PipelineStages } from './pipelineStages';
import { Admission } from './receiver/memoryLimiter';
import {
  DecodedExport,
  OtlpHttpReceiver,
  OtlpHttpRequest,
  SplitBody,
} from './receiver/receiver';
import { combineAdmissions } from './routing/shardRouting';

/** Splits decoded spans among shard owners (see routing/shardRouting). */
export interface ShardRouter {
  route(
    batch: SpanBatch,
    request?: OtlpHttpRequest,
  ): {
    /** The part this pipeline owns. */
    local: SpanBatch | undefined;
    /** Spans handed to other owners (they count them as received). */
    remoteSpans: number;
    /** Settles when every other owner has answered. */
    remote: Promise<Admission> | undefined;
  };
  /**
   * Splits a protobuf body before it is decoded, when some of its spans belong to owners this
   * router hands them to as received (other portal replicas); see ReceiverOptions.splitBody.
   */
  splitBody?(
    body: Buffer,
    length: number,
    request: OtlpHttpRequest,
  ): SplitBody | undefined;
}

export type SpansListener = (batch: SpanBatch) => void;

export interface RequestPathOptions {
  shards?: ShardRouter;
  listeners: ReadonlySet<SpansListener>;
  /** True once shutdown began: new data is refused. */
  shuttingDown(): boolean;
}

/**
 * The path of one request: the receiver reads and decodes it (memory reserved as the body streams
 * in), then its spans are counted, admitted by the memory limiter, sanitized, shown to the span
 * listeners and handed to the sampler, or straight to the batcher. With shard routing, only the
 * part owned here takes that path; the rest goes to its owners.
 */
export function createRequestPath(
  stages: PipelineStages,
  options: RequestPathOptions,
): OtlpHttpReceiver {
  const { config, limiter, accounting, sanitizer, sampler, logger, metrics } =
    stages;
  const { listeners, shards, shuttingDown } = options;

  const shuttingDownRefusal = (): Admission => ({
    admitted: false,
    status: 503,
    retryAfterSeconds: config.memory.retryAfterSeconds,
    reason: 'shutting_down',
    message: 'pipeline is shutting down',
  });

  const acceptHere = (
    decoded: DecodedExport,
    receivedSpans: number,
  ): Admission => {
    accounting.received(receivedSpans);
    accounting.refused(decoded.rejectedSpans, 'invalid');
    const { batch } = decoded;
    if (batch.spanCount === 0) return { admitted: true };
    if (shuttingDown()) {
      accounting.refused(batch.spanCount, 'shutting_down');
      return shuttingDownRefusal();
    }
    // The bytes were reserved while the body streamed in; committing adds the spans.
    const admission = decoded.reservation
      ? decoded.reservation.commit(batch.spanCount, batch.bytes)
      : limiter.tryReserve(batch.spanCount, batch.bytes);
    if (!admission.admitted) {
      accounting.refused(batch.spanCount, 'memory_limit');
      return admission;
    }
    accounting.accepted(batch.spanCount);
    try {
      sanitizer.process(batch);
    } catch (e) {
      logger.error('sanitizer failed; batch dropped', { error: String(e) });
      stages.drop(batch.spanCount, batch.bytes, 'internal_error');
      throw e;
    }
    for (const listener of listeners) {
      try {
        listener(batch);
      } catch (e) {
        logger.warn('span listener failed', { error: String(e) });
      }
    }
    if (sampler) sampler.consume(batch);
    else stages.toBatcher(batch);
    return { admitted: true };
  };

  const accept = (
    decoded: DecodedExport,
    request: OtlpHttpRequest,
  ): Admission | Promise<Admission> => {
    const presplit = decoded.remote;
    if (!shards || (decoded.batch.spanCount === 0 && !presplit))
      return acceptHere(decoded, decoded.receivedSpans);
    const answers: Promise<Admission>[] = [];
    if (presplit) answers.push(presplit.send());
    // Split off before decoding: what was decoded is owned by this replica, routed only among
    // its workers.
    const routed = decoded.batch.spanCount
      ? shards.route(
          decoded.batch,
          presplit ? { ...request, routed: true } : request,
        )
      : { local: undefined, remote: undefined, remoteSpans: 0 };
    if (routed.remote) answers.push(routed.remote);
    const here = acceptHere(
      {
        ...decoded,
        batch: routed.local ?? { resourceSpans: [], spanCount: 0, bytes: 0 },
      },
      decoded.receivedSpans - routed.remoteSpans - (presplit?.spans ?? 0),
    );
    return answers.length
      ? Promise.all(answers).then(all => combineAdmissions([here, ...all]))
      : here;
  };

  return new OtlpHttpReceiver({
    ...config.receiver,
    retryAfterSeconds: config.memory.retryAfterSeconds,
    precheck: () => (shuttingDown() ? shuttingDownRefusal() : limiter.check()),
    reserve: () => limiter.reserve(),
    splitBody: shards?.splitBody?.bind(shards),
    accept,
    onRefused: (reason, bytes) => {
      metrics.requestsRefused.inc({ reason });
      metrics.requestsRefusedBytes.inc({ reason }, bytes);
    },
  });
}
