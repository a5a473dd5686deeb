import { Batcher } from './batcher';
import { ExportTraceServiceRequestCodec } from '../otlp/otlpRoot';
import { countSpans, EncodedBatch, encodeBatch } from '../otlp/spanBatch';
import { makeRequest } from '../testing/fixtures';

let maxSize = 0;
function batch(spans: number): EncodedBatch {
  const resourceSpans = makeRequest({ svc: spans }).resourceSpans!;
  return encodeBatch(
    { resourceSpans, spanCount: countSpans(resourceSpans), bytes: 0 },
    maxSize,
  );
}

function setup(config: {
  sendBatchSize: number;
  sendBatchMaxSize: number;
  timeoutMs?: number;
}) {
  maxSize = config.sendBatchMaxSize;
  const sent: EncodedBatch[] = [];
  const batcher = new Batcher({ timeoutMs: 1000, ...config }, b =>
    sent.push(b),
  );
  return { batcher, sent, sizes: () => sent.map(b => b.spanCount) };
}

const spansIn = (b: EncodedBatch) =>
  ExportTraceServiceRequestCodec.decode(
    Buffer.concat(b.chunks.map(c => c.data)),
  ).resourceSpans!.reduce(
    (n, rs) => n + rs.scopeSpans!.reduce((m, ss) => m + ss.spans!.length, 0),
    0,
  );

describe('Batcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it.each([
    [
      'holds a partial batch',
      { sendBatchSize: 10, sendBatchMaxSize: 0 },
      [3, 4],
      [],
      7,
    ],
    [
      'sends when the size is reached',
      { sendBatchSize: 10, sendBatchMaxSize: 0 },
      [6, 4],
      [10],
      0,
    ],
    [
      'sends everything pending when no max is set',
      { sendBatchSize: 10, sendBatchMaxSize: 0 },
      [6, 30],
      [36],
      0,
    ],
    [
      'cuts between resource spans at the max size',
      { sendBatchSize: 10, sendBatchMaxSize: 10 },
      [6, 30],
      [6, 10, 10, 10],
      0,
    ],
    [
      'keeps a remainder below the size',
      { sendBatchSize: 10, sendBatchMaxSize: 10 },
      [6, 6],
      [6],
      6,
    ],
    [
      'splits a single oversized batch',
      { sendBatchSize: 5, sendBatchMaxSize: 8 },
      [20],
      [8, 8],
      4,
    ],
    [
      'sends the remainder too when it still reaches the size',
      { sendBatchSize: 4, sendBatchMaxSize: 8 },
      [20],
      [8, 8, 4],
      0,
    ],
    [
      'ignores empty batches',
      { sendBatchSize: 1, sendBatchMaxSize: 0 },
      [0],
      [],
      0,
    ],
  ])('%s', (_name, config, inputs, expectedSizes, expectedHeld) => {
    const { batcher, sent, sizes } = setup(config);
    const inputBatches = inputs.map(batch);
    for (const b of inputBatches) batcher.consume(b);
    expect(sizes()).toEqual(expectedSizes);
    expect(sent.map(spansIn)).toEqual(expectedSizes);
    expect(batcher.held().spans).toBe(expectedHeld);
    const total = inputBatches.reduce((n, b) => n + b.bytes, 0);
    expect(batcher.held().bytes).toBe(
      total - sent.reduce((n, b) => n + b.bytes, 0),
    );
  });

  it('sends a partial batch after the timeout', () => {
    const { batcher, sizes } = setup({
      sendBatchSize: 10,
      sendBatchMaxSize: 0,
      timeoutMs: 500,
    });
    batcher.consume(batch(3));
    jest.advanceTimersByTime(499);
    expect(sizes()).toEqual([]);
    batcher.consume(batch(2));
    jest.advanceTimersByTime(1);
    expect(sizes()).toEqual([5]);
    expect(batcher.held().spans).toBe(0);
  });

  it('packs a timed-out batch up to the max size', () => {
    const { batcher, sizes } = setup({
      sendBatchSize: 100,
      sendBatchMaxSize: 100,
      timeoutMs: 10,
    });
    batcher.consume(batch(50));
    batcher.consume(batch(40));
    batcher.consume(batch(30));
    jest.advanceTimersByTime(10);
    expect(sizes()).toEqual([90, 30]);
  });

  it('flushes on shutdown and keeps bytes exact', () => {
    const { batcher, sent } = setup({
      sendBatchSize: 100,
      sendBatchMaxSize: 0,
    });
    const input = batch(7);
    batcher.consume(input);
    batcher.shutdown();
    expect(sent.map(b => [b.spanCount, b.bytes])).toEqual([[7, input.bytes]]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
