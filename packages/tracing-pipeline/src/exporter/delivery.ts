import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { EncodedBatch } from '../otlp/spanBatch';
import { Accounting } from '../telemetry/accounting';
import { ExporterLogger, ExportOutcome, OtlpHttpExporter } from './exporter';

const gzipAsync = promisify(gzip);
// Level 1 compresses OTLP protobuf to within a few percent of the default level at a fraction of the CPU.
const GZIP_OPTIONS = { level: 1 };

type DeliveryResult = 'exported' | 'retained' | { dropped: string };

/** A batch on its way to every exporter; settled when each of them is done with it. */
class Delivery {
  private pending: number;
  private anyExported = false;
  private anyRetained = false;
  private firstDropReason?: string;

  constructor(
    readonly spans: number,
    /** Bytes reserved with the memory limiter; undefined for batches restored from disk. */
    readonly reservedBytes: number | undefined,
    exporters: number,
    private readonly finish: (d: Delivery, result: DeliveryResult) => void,
  ) {
    this.pending = exporters;
  }

  settle = (outcome: ExportOutcome): void => {
    if (outcome.kind === 'exported') this.anyExported = true;
    else if (outcome.kind === 'retained') this.anyRetained = true;
    else this.firstDropReason ??= outcome.reason;
    if (--this.pending > 0) return;
    let result: DeliveryResult;
    if (this.anyExported) result = 'exported';
    else if (this.anyRetained) result = 'retained';
    else result = { dropped: this.firstDropReason ?? 'unknown' };
    this.finish(this, result);
  };
}

export interface DeliveriesDeps {
  accounting: Accounting;
  logger: ExporterLogger;
  /** Gives memory reserved for a batch back to the memory limiter. */
  release(spans: number, bytes: number): void;
}

/**
 * Encoded batches from the batcher to the exporters: each is gzipped once and handed to every
 * exporter; its spans count as exported once any exporter took it, retained when one kept it on
 * disk at shutdown, dropped otherwise.
 */
export class Deliveries {
  private deliveringSpans = 0;
  private retainedSpans = 0;
  private readonly encoding = new Set<Promise<void>>();

  constructor(
    private readonly exporters: readonly OtlpHttpExporter[],
    private readonly deps: DeliveriesDeps,
  ) {}

  /** Spans being delivered, and those kept in persistent queues at shutdown. */
  held(): number {
    return this.deliveringSpans + this.retainedSpans;
  }

  /** Spans kept in persistent queues at shutdown, for a later run. */
  retained(): number {
    return this.retainedSpans;
  }

  /** A delivery of `spans` to `exporterCount` exporters; settle it once per exporter. */
  start(
    spans: number,
    reservedBytes: number | undefined,
    exporterCount: number,
  ): Delivery {
    const d = new Delivery(spans, reservedBytes, exporterCount, this.finish);
    this.deliveringSpans += spans;
    return d;
  }

  dispatch(batch: EncodedBatch): void {
    const { exporters, deps } = this;
    const delivery = this.start(batch.spanCount, batch.bytes, exporters.length);
    const work = (async () => {
      let body: Buffer;
      try {
        const request =
          batch.chunks.length === 1
            ? batch.chunks[0].data
            : Buffer.concat(batch.chunks.map(c => c.data));
        body = await gzipAsync(request, GZIP_OPTIONS);
      } catch (e) {
        deps.logger.error('could not compress a batch for export', {
          error: String(e),
        });
        for (let i = 0; i < exporters.length; i++)
          delivery.settle({ kind: 'dropped', reason: 'internal_error' });
        return;
      }
      for (const exporter of exporters)
        exporter.enqueue({
          body,
          spans: batch.spanCount,
          settle: delivery.settle,
        });
    })();
    this.encoding.add(work);
    void work.finally(() => this.encoding.delete(work));
  }

  /** Settles once every batch dispatched so far is compressed and queued. */
  async encoded(): Promise<void> {
    await Promise.all(this.encoding);
  }

  private finish = (d: Delivery, result: DeliveryResult): void => {
    this.deliveringSpans -= d.spans;
    if (d.reservedBytes !== undefined)
      this.deps.release(d.spans, d.reservedBytes);
    if (result === 'exported') this.deps.accounting.exported(d.spans);
    else if (result === 'retained') this.retainedSpans += d.spans;
    else this.deps.accounting.dropped(d.spans, result.dropped);
  };
}
