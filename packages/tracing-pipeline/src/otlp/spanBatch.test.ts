import { SpanBatch } from './model';
import { concatBatches, countSpans, splitBatch } from './spanBatch';
import { makeRequest } from '../testing/fixtures';

function batch(services: Record<string, number>, bytes = 1000): SpanBatch {
  const resourceSpans = makeRequest(services).resourceSpans!;
  return { resourceSpans, spanCount: countSpans(resourceSpans), bytes };
}

const names = (b: SpanBatch) =>
  b.resourceSpans.flatMap(rs =>
    rs.scopeSpans!.flatMap(ss => ss.spans!.map(s => s.spanId)),
  );

describe('splitBatch', () => {
  it.each([
    [{ a: 5 }, 10, [5]],
    [{ a: 5 }, 0, [5]],
    [{ a: 10 }, 3, [3, 3, 3, 1]],
    [{ a: 2, b: 2, c: 2 }, 3, [3, 3]],
    [{ a: 3, b: 3 }, 3, [3, 3]],
    [{ a: 1, b: 7, c: 1 }, 4, [4, 4, 1]],
  ])('%j by %i → %j', (services, max, sizes) => {
    const input = batch(services, 1001);
    const parts = splitBatch(input, max);
    expect(parts.map(p => p.spanCount)).toEqual(sizes);
    expect(parts.map(p => countSpans(p.resourceSpans))).toEqual(sizes);
    expect(parts.reduce((n, p) => n + p.bytes, 0)).toBe(1001);
    expect(parts.flatMap(names)).toEqual(names(input));
  });

  it('keeps whole resource spans objects when they fit', () => {
    const input = batch({ a: 2, b: 2 });
    const [first, second] = splitBatch(input, 2);
    expect(first.resourceSpans[0]).toBe(input.resourceSpans[0]);
    expect(second.resourceSpans[0]).toBe(input.resourceSpans[1]);
  });
});

describe('concatBatches', () => {
  it('sums spans and bytes and keeps order', () => {
    const a = batch({ a: 1 }, 10);
    const b = batch({ b: 2 }, 20);
    const c = concatBatches([a, b]);
    expect(c.spanCount).toBe(3);
    expect(c.bytes).toBe(30);
    expect(c.resourceSpans).toEqual([...a.resourceSpans, ...b.resourceSpans]);
  });
});
