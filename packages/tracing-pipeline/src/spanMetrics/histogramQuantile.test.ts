import { bucketIndex, histogramQuantile } from './histogramQuantile';

describe('histogramQuantile', () => {
  const bounds = [0.1, 0.5, 1];

  it.each([
    // counts per bucket, q, expected (hand-computed like PromQL histogram_quantile)
    [[10, 0, 0, 0], 0.5, 0.05],
    [[0, 10, 0, 0], 0.5, 0.3],
    [[5, 5, 0, 0], 0.75, 0.3],
    [[5, 5, 0, 0], 0.5, 0.1],
    [[0, 0, 4, 0], 0.25, 0.625],
    [[1, 1, 1, 7], 0.99, 1],
  ])('counts %j, q=%d → %d', (counts, q, expected) => {
    expect(histogramQuantile(q, bounds, counts)).toBeCloseTo(expected, 12);
  });

  it('is undefined for an empty histogram and rejects bad input', () => {
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0])).toBeUndefined();
    expect(() => histogramQuantile(1.5, bounds, [1, 0, 0, 0])).toThrow(
      RangeError,
    );
    expect(() => histogramQuantile(0.5, bounds, [1, 0])).toThrow(RangeError);
  });

  it('finds buckets with upper bounds inclusive', () => {
    expect(
      [0, 0.1, 0.10001, 0.5, 1, 2].map(v => bucketIndex(bounds, v)),
    ).toEqual([0, 0, 1, 1, 2, 3]);
  });
});
