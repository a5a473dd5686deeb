import { gzipSync } from 'node:zlib';
import { MemoryConfig } from '../config';
import { Admission, MemoryLimiter, RefusalReason } from './memoryLimiter';
import {
  DecodedExport,
  MEMORY_PER_WIRE_BYTE,
  OtlpHttpReceiver,
  ReceiverOptions,
} from './receiver';
import {
  chunks,
  decodeStatus,
  encodeRequest,
  makeRequest,
} from '../testing/fixtures';

const PB = 'application/x-protobuf';
const MiB = 1024 * 1024;

const roomy: MemoryConfig = {
  softLimitBytes: 384 * MiB,
  hardLimitBytes: 512 * MiB,
  softLimitSpans: 200_000,
  hardLimitSpans: 250_000,
  retryAfterSeconds: 3,
};

/** A receiver reserving with a real MemoryLimiter, accepting by committing the reservation. */
function setup(
  options: Partial<ReceiverOptions> = {},
  memory: Partial<MemoryConfig> = {},
) {
  const limiter = new MemoryLimiter({ ...roomy, ...memory });
  const accepted: DecodedExport[] = [];
  const refused: [RefusalReason, number][] = [];
  const receiver = new OtlpHttpReceiver({
    maxBodyBytes: MiB,
    precheck: () => limiter.check(),
    reserve: () => limiter.reserve(),
    accept: d => {
      accepted.push(d);
      return d.reservation!.commit(d.batch.spanCount, d.batch.bytes);
    },
    onRefused: (reason, bytes) => refused.push([reason, bytes]),
    ...options,
  });
  return { receiver, limiter, accepted, refused };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A body that yields `first`, signals that the receiver asked for more, and yields `rest` once
 * released: what a slow client's request looks like mid-upload.
 */
function pausedBody(first: Buffer, rest: Buffer) {
  const askedForMore = deferred();
  const release = deferred();
  let started = false;
  async function* body() {
    started = true;
    yield first;
    askedForMore.resolve();
    await release.promise;
    yield rest;
  }
  return {
    body: body(),
    askedForMore: askedForMore.promise,
    release: release.resolve,
    started: () => started,
  };
}

const pb = encodeRequest(makeRequest({ a: 40, b: 20 }));
const half = Math.floor(pb.length / 2);

describe('OtlpHttpReceiver memory while reading', () => {
  it('reserves memory while the body streams in, before it ends', async () => {
    const { receiver, limiter } = setup();
    const paused = pausedBody(pb.subarray(0, half), pb.subarray(half));
    const response = receiver.handle({ contentType: PB, body: paused.body });
    await paused.askedForMore;
    expect(limiter.usage()).toEqual({
      spans: 0,
      bytes: half * MEMORY_PER_WIRE_BYTE.protobuf,
    });
    paused.release();
    expect((await response).status).toBe(200);
    // The reservation became the accepted batch's.
    expect(limiter.usage()).toEqual({
      spans: 60,
      bytes: pb.length * MEMORY_PER_WIRE_BYTE.protobuf,
    });
  });

  it('refuses a body whose decoded size would never fit with 413, before decoding it', async () => {
    const hardLimitBytes = 4 * pb.length;
    const { receiver, limiter, accepted, refused } = setup(
      {},
      { softLimitBytes: hardLimitBytes, hardLimitBytes },
    );
    let consumed = 0;
    async function* body() {
      for (let i = 0; i < pb.length; i += 64) {
        consumed += Math.min(64, pb.length - i);
        yield pb.subarray(i, i + 64);
      }
    }
    const res = await receiver.handle({
      contentType: PB,
      body: body(),
      contentLength: pb.length,
    });
    expect(res.status).toBe(413);
    expect(decodeStatus(res.body, PB)!.message).toContain(
      'pipeline memory limit',
    );
    expect(res.headers.connection).toBe('close');
    expect(consumed).toBeLessThan(pb.length);
    expect(accepted).toHaveLength(0);
    expect(refused).toEqual([['memory_limit', pb.length]]);
    expect(limiter.usage()).toEqual({ spans: 0, bytes: 0 });
  });

  it('refuses with 503 + Retry-After when the body would take memory past the hard limit', async () => {
    const hardLimitBytes = 10 * pb.length;
    const { receiver, limiter, accepted } = setup(
      {},
      { softLimitBytes: hardLimitBytes, hardLimitBytes },
    );
    limiter.tryReserve(1, 5 * pb.length);
    const gz = gzipSync(pb);
    const res = await receiver.handle({
      contentType: PB,
      contentEncoding: 'gzip',
      body: chunks(gz),
    });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(accepted).toHaveLength(0);
    expect(limiter.usage()).toEqual({ spans: 1, bytes: 5 * pb.length });
  });

  const bad = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]);
  async function* failing() {
    yield pb.subarray(0, 10);
    throw new Error('socket hang up');
  }
  it.each<
    [string, Partial<ReceiverOptions>, () => AsyncIterable<Buffer>, number]
  >([
    ['undecodable protobuf', {}, () => chunks(bad), 400],
    ['a body stream error', {}, failing, 400],
    ['an empty body', {}, () => chunks(), 200],
    ['a body over maxBodyBytes', { maxBodyBytes: half }, () => chunks(pb), 413],
    [
      'a refusal by the pipeline',
      {
        accept: (): Admission => ({
          admitted: false,
          status: 429,
          message: 'no',
        }),
      },
      () => chunks(pb),
      429,
    ],
    [
      'a pipeline that throws',
      {
        accept: () => {
          throw new Error('bug');
        },
      },
      () => chunks(pb),
      500,
    ],
  ])(
    'gives back what it reserved after %s',
    async (_name, options, body, status) => {
      const { receiver, limiter } = setup(options);
      const res = await receiver.handle({ contentType: PB, body: body() });
      expect(res.status).toBe(status);
      expect(limiter.usage()).toEqual({ spans: 0, bytes: 0 });
    },
  );
});

describe('OtlpHttpReceiver compressed size', () => {
  it('answers 413 to 40 MB of empty gzip members (they inflate to nothing)', async () => {
    const { receiver, accepted, refused, limiter } = setup({
      maxBodyBytes: 20 * MiB,
    });
    const member = gzipSync(Buffer.alloc(0));
    const block = Buffer.concat(
      Array(Math.floor(65536 / member.length)).fill(member),
    );
    const total = 40_000_000;
    let consumed = 0;
    async function* body() {
      while (consumed < total) {
        consumed += block.length;
        yield block;
      }
    }
    const res = await receiver.handle({
      contentType: PB,
      contentEncoding: 'gzip',
      body: body(),
    });
    expect(res.status).toBe(413);
    expect(decodeStatus(res.body, PB)!.message).toBe(
      `request body exceeds ${20 * MiB} bytes as sent`,
    );
    expect(consumed).toBeLessThan(total);
    expect(accepted).toHaveLength(0);
    expect(refused).toHaveLength(1);
    expect(refused[0][0]).toBe('too_large');
    expect(refused[0][1]).toBeGreaterThan(20 * MiB);
    expect(limiter.usage()).toEqual({ spans: 0, bytes: 0 });
  });

  it('limits an uncompressed body by the smaller of both limits', async () => {
    const { receiver } = setup({
      maxBodyBytes: MiB,
      maxCompressedBodyBytes: half,
    });
    const res = await receiver.handle({ contentType: PB, body: chunks(pb) });
    expect(res.status).toBe(413);
    expect(decodeStatus(res.body, PB)!.message).toBe(
      `request body exceeds ${half} bytes as sent`,
    );
  });
});

describe('OtlpHttpReceiver concurrent decodes', () => {
  it('refuses a request above the bound with 503 + Retry-After when nothing may wait', async () => {
    const { receiver, refused } = setup({
      maxConcurrentDecodes: 1,
      maxQueuedDecodes: 0,
      retryAfterSeconds: 2,
    });
    const first = pausedBody(pb.subarray(0, half), pb.subarray(half));
    const firstResponse = receiver.handle({
      contentType: PB,
      body: first.body,
    });
    await first.askedForMore;
    const second = pausedBody(pb.subarray(0, half), pb.subarray(half));
    const res = await receiver.handle({
      contentType: PB,
      body: second.body,
      contentLength: String(pb.length),
    });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(decodeStatus(res.body, PB)!.message).toContain('decode slots');
    expect(second.started()).toBe(false);
    expect(refused).toEqual([['decode_busy', pb.length]]);
    first.release();
    expect((await firstResponse).status).toBe(200);
  });

  it('lets a queued request in when a slot frees, without reading it before', async () => {
    const { receiver, accepted } = setup({
      maxConcurrentDecodes: 1,
      maxQueuedDecodes: 1,
      decodeQueueTimeoutMs: 60_000,
    });
    const first = pausedBody(pb.subarray(0, half), pb.subarray(half));
    const firstResponse = receiver.handle({
      contentType: PB,
      body: first.body,
    });
    await first.askedForMore;
    const second = pausedBody(pb.subarray(0, half), pb.subarray(half));
    second.release();
    const secondResponse = receiver.handle({
      contentType: PB,
      body: second.body,
    });
    // A third finds the queue full.
    expect(
      (await receiver.handle({ contentType: PB, body: chunks(pb) })).status,
    ).toBe(503);
    expect(second.started()).toBe(false);
    first.release();
    expect((await firstResponse).status).toBe(200);
    expect((await secondResponse).status).toBe(200);
    expect(accepted).toHaveLength(2);
  });

  it('gives up on a queued request after decodeQueueTimeoutMs', async () => {
    const { receiver } = setup({
      maxConcurrentDecodes: 1,
      maxQueuedDecodes: 1,
      decodeQueueTimeoutMs: 1,
    });
    const first = pausedBody(pb.subarray(0, half), pb.subarray(half));
    const firstResponse = receiver.handle({
      contentType: PB,
      body: first.body,
    });
    await first.askedForMore;
    const res = await receiver.handle({ contentType: PB, body: chunks(pb) });
    expect(res.status).toBe(503);
    first.release();
    expect((await firstResponse).status).toBe(200);
  });

  it('gives the slot back once the body is decoded, while the spans are still being accepted (e.g. forwarded to their owner)', async () => {
    const owner = deferred();
    let accepts = 0;
    const { receiver } = setup({
      maxConcurrentDecodes: 1,
      maxQueuedDecodes: 0,
      accept: async d => {
        accepts++;
        // The first request's accept waits on another replica.
        if (accepts === 1) await owner.promise;
        return d.reservation!.commit(d.batch.spanCount, d.batch.bytes);
      },
    });
    const waiting = receiver.handle({ contentType: PB, body: chunks(pb) });
    while (accepts === 0) await new Promise(r => setImmediate(r));
    // A second request (e.g. the other replica's forward) decodes meanwhile.
    const second = await receiver.handle({ contentType: PB, body: chunks(pb) });
    expect(second.status).toBe(200);
    owner.resolve();
    expect((await waiting).status).toBe(200);
    // and nothing was given back twice: one slot, so a third after both still gets in
    expect(
      (await receiver.handle({ contentType: PB, body: chunks(pb) })).status,
    ).toBe(200);
  });

  it('frees the slot on every outcome', async () => {
    const { receiver } = setup({ maxConcurrentDecodes: 1 });
    const statuses: number[] = [];
    for (const body of [chunks(Buffer.from([0xff])), chunks(pb), chunks()]) {
      statuses.push((await receiver.handle({ contentType: PB, body })).status);
    }
    expect(statuses).toEqual([400, 200, 200]);
  });
});
