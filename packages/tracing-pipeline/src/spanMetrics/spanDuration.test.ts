import { spanDurationSeconds } from './spanDuration';
import { longLike } from './testSpans';

describe('spanDurationSeconds', () => {
  it('is exact for Long timestamps beyond 2^53 ns', () => {
    const start = 1_700_000_000_123_456_789n;
    expect(
      spanDurationSeconds(longLike(start), longLike(start + 1_234_567n)),
    ).toBe(0.001234567);
    // Across a carry of the low 32 bits.
    const carry = (start | 0xffffffffn) - 10n;
    expect(spanDurationSeconds(longLike(carry), longLike(carry + 20n))).toBe(
      20e-9,
    );
  });

  it('accepts numbers and mixed or missing values, never negative', () => {
    expect(spanDurationSeconds(1_000, 3_000_001_000)).toBe(3);
    expect(spanDurationSeconds(longLike(5n), 2_000_000_005)).toBe(2);
    expect(spanDurationSeconds(null, undefined)).toBe(0);
    expect(spanDurationSeconds(2_000, 1_000)).toBe(0);
  });
});
