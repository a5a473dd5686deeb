import {
  ALWAYS_THRESHOLD,
  NEVER_THRESHOLD,
  isSampled,
  parseOtTraceState,
  parseRandomness,
  parseThreshold,
  thresholdForRate,
  traceIdRandomness,
  withThreshold,
} from './consistent';
import { fromHex, randomBytes, seededRandom } from './testing';

describe('thresholds', () => {
  it.each([
    [1, '0'],
    [0.5, '8'],
    [0.25, 'c'],
    [0.75, '4'],
    [0.125, 'e'],
    [1 / 16, 'f'],
    [1 / 256, 'ff'],
    [2 ** -56, 'ffffffffffffff'],
    // round((1 - 0.1) * 2^56) = 0xe6666666666666 exactly (0.1 * 2^56 rounds to ...9a)
    [0.1, 'e6666666666666'],
    [0.01, 'fd70a3d70a3d71'],
  ])('rate %s encodes as th:%s', (rate, th) => {
    const t = thresholdForRate(rate);
    expect(t.th).toBe(th);
    expect(parseThreshold(th)).toEqual(t);
  });

  it('rate 0 and NaN keep nothing and have no encoding', () => {
    expect(thresholdForRate(0)).toBe(NEVER_THRESHOLD);
    expect(thresholdForRate(Number.NaN)).toBe(NEVER_THRESHOLD);
    expect(NEVER_THRESHOLD.th).toBeUndefined();
    expect(thresholdForRate(1)).toBe(ALWAYS_THRESHOLD);
  });

  it('computes T = round((1 - p) * 2^56) exactly', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const p = random();
      const t = thresholdForRate(p);
      const expected = (1n << 56n) - BigInt(Math.round(p * 2 ** 56));
      expect(BigInt(t.hi) * 2n ** 32n + BigInt(t.lo)).toBe(expected);
      expect(t.probability).toBeCloseTo(p, 12);
    }
  });

  it.each(['', 'g', '123456789abcdef', 'ABC', '-1'])('rejects th:%s', th => {
    expect(parseThreshold(th)).toBeNull();
  });

  it('parses rv (exactly 14 hex digits)', () => {
    expect(parseRandomness('0123456789abcd')).toEqual({
      hi: 0x012345,
      lo: 0x6789abcd,
    });
    expect(parseRandomness('0123')).toBeNull();
    expect(parseRandomness('0123456789abcz')).toBeNull();
  });

  it('takes randomness from the low 56 bits of the trace id', () => {
    const id = fromHex('0102030405060708 09 0a0b0c 0d0e0f10'.replace(/ /g, ''));
    expect(traceIdRandomness(id)).toEqual({ hi: 0x0a0b0c, lo: 0x0d0e0f10 });
  });

  it.each([
    // [R, T, sampled]
    ['80000000000000', '8', true],
    ['7fffffffffffff', '8', false],
    ['00000000000000', '0', true],
    ['ffffffffffffff', 'ffffffffffffff', true],
    ['fffffffffffffe', 'ffffffffffffff', false],
    ['800000ffffffff', '800001', false],
  ])('R=%s, th:%s → sampled %s', (r, th, sampled) => {
    expect(isSampled(parseRandomness(r)!, parseThreshold(th)!)).toBe(sampled);
  });

  it('never samples at T = 2^56', () => {
    expect(isSampled(parseRandomness('ffffffffffffff')!, NEVER_THRESHOLD)).toBe(
      false,
    );
  });
});

describe('consistency over random trace ids', () => {
  const random = seededRandom(42);
  const ids = Array.from({ length: 100_000 }, () => randomBytes(random, 16));
  const rates = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9, 1];

  it('the keep-set at rate r is contained in the keep-set at every r2 > r', () => {
    let previous: boolean[] | undefined;
    let violations = 0;
    for (const rate of rates) {
      const t = thresholdForRate(rate);
      const kept = ids.map(id => isSampled(traceIdRandomness(id), t));
      if (previous)
        for (let i = 0; i < previous.length; i++)
          if (previous[i] && !kept[i]) violations++;
      previous = kept;
    }
    expect(violations).toBe(0);
  });

  it.each(rates)(
    'observed rate at %s is within 5 sigma over 100k ids',
    rate => {
      const t = thresholdForRate(rate);
      const n = ids.length;
      const kept = ids.filter(id => isSampled(traceIdRandomness(id), t)).length;
      const sigma = Math.sqrt(n * rate * (1 - rate));
      expect(Math.abs(kept - n * rate)).toBeLessThanOrEqual(5 * sigma + 1e-9);
    },
  );
});

describe('tracestate', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    ['vendor=abc', {}],
    ['ot=th:8', { threshold: parseThreshold('8') }],
    [
      'ot=th:c;rv:0123456789abcd',
      {
        threshold: parseThreshold('c'),
        randomness: { hi: 0x012345, lo: 0x6789abcd },
      },
    ],
    [
      'a=1, ot=rv:0123456789abcd;x:y ,b=2',
      { randomness: { hi: 0x012345, lo: 0x6789abcd } },
    ],
    ['ot=th:zz', {}],
    ['ot=th', {}],
  ])('parses %j', (ts, expected) => {
    expect(parseOtTraceState(ts)).toEqual(expected);
  });

  it.each<[string | undefined, string | null, string]>([
    [undefined, '8', 'ot=th:8'],
    ['', '0', 'ot=th:0'],
    ['vendor=abc', 'c', 'ot=th:c,vendor=abc'],
    ['vendor=abc,ot=th:8', 'c', 'ot=th:c,vendor=abc'],
    ['ot=rv:0123456789abcd', '8', 'ot=th:8;rv:0123456789abcd'],
    [
      'a=1,ot=th:8;rv:0123456789abcd;x:y,b=2',
      'e',
      'ot=th:e;rv:0123456789abcd;x:y,a=1,b=2',
    ],
    ['ot=th:8', null, ''],
    ['a=1, ot=th:8', null, 'a=1'],
    ['ot=th:8;rv:0123456789abcd', null, 'ot=rv:0123456789abcd'],
    ['a=1', null, 'a=1'],
  ])('%j with th %j → %j', (ts, th, expected) => {
    expect(withThreshold(ts, th === null ? null : parseThreshold(th))).toBe(
      expected,
    );
  });
});
