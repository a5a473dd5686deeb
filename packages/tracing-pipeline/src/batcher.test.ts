import { Batcher } from './batcher';
import { SpanBatch } from './model';
import { countSpans } from './spanBatch';
import { makeRequest } from './testing/fixtures';

function batch(spans: number): SpanBatch {
  const resourceSpans = makeRequest({ svc: spans }).resourceSpans!;
  return { resourceSpans, spanCount: countSpans(resourceSpans), bytes: spans * 10 };
}

function setup(config: { sendBatchSize: number; sendBatchMaxSize: number; timeoutMs?: number }) {
  const sent: SpanBatch[] = [];
  const batcher = new Batcher({ timeoutMs: 1000, ...config }, b => sent.push(b));
  return { batcher, sent, sizes: () => sent.map(b => b.spanCount) };
}

describe('Batcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it.each([
    ['holds a partial batch', { sendBatchSize: 10, sendBatchMaxSize: 0 }, [3, 4], [], 7],
    ['sends when the size is reached', { sendBatchSize: 10, sendBatchMaxSize: 0 }, [6, 4], [10], 0],
    ['sends everything pending when no max is set', { sendBatchSize: 10, sendBatchMaxSize: 0 }, [6, 30], [36], 0],
    ['splits to the max size and keeps the remainder', { sendBatchSize: 10, sendBatchMaxSize: 10 }, [6, 30], [10, 10, 10], 6],
    ['splits a single oversized batch', { sendBatchSize: 5, sendBatchMaxSize: 8 }, [20], [8, 8], 4],
    ['sends the remainder too when it still reaches the size', { sendBatchSize: 4, sendBatchMaxSize: 8 }, [20], [8, 8, 4], 0],
    ['ignores empty batches', { sendBatchSize: 1, sendBatchMaxSize: 0 }, [0], [], 0],
  ])('%s', (_name, config, inputs, expectedSizes, expectedHeld) => {
    const { batcher, sizes } = setup(config);
    for (const n of inputs) batcher.consume(batch(n));
    expect(sizes()).toEqual(expectedSizes);
    expect(batcher.held().spans).toBe(expectedHeld);
    expect(batcher.held().bytes).toBe(expectedHeld * 10);
  });

  it('sends a partial batch after the timeout', () => {
    const { batcher, sizes } = setup({ sendBatchSize: 10, sendBatchMaxSize: 0, timeoutMs: 500 });
    batcher.consume(batch(3));
    jest.advanceTimersByTime(499);
    expect(sizes()).toEqual([]);
    batcher.consume(batch(2));
    jest.advanceTimersByTime(1);
    expect(sizes()).toEqual([5]);
    expect(batcher.held().spans).toBe(0);
  });

  it('splits a timed-out batch by the max size', () => {
    const { batcher, sizes } = setup({ sendBatchSize: 100, sendBatchMaxSize: 100, timeoutMs: 10 });
    batcher.consume(batch(50));
    batcher.consume(batch(40));
    jest.advanceTimersByTime(10);
    expect(sizes()).toEqual([90]);
  });

  it('flushes on shutdown and keeps bytes exact', () => {
    const { batcher, sent } = setup({ sendBatchSize: 100, sendBatchMaxSize: 0 });
    batcher.consume(batch(7));
    batcher.shutdown();
    expect(sent.map(b => [b.spanCount, b.bytes])).toEqual([[7, 70]]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
