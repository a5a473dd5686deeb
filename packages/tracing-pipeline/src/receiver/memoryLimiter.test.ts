import { MemoryLimiter } from './memoryLimiter';

const limits = {
  softLimitBytes: 800,
  hardLimitBytes: 1000,
  softLimitSpans: 80,
  hardLimitSpans: 100,
  retryAfterSeconds: 7,
};

describe('MemoryLimiter', () => {
  it.each([
    [
      'an empty pipeline admits a request',
      [],
      [10, 100],
      { admitted: true },
      { spans: 10, bytes: 100 },
    ],
    [
      'below the soft limit admits',
      [[70, 700]],
      [5, 50],
      { admitted: true },
      { spans: 75, bytes: 750 },
    ],
    [
      'a request may cross the soft limit up to the hard one',
      [[70, 700]],
      [30, 300],
      { admitted: true },
      { spans: 100, bytes: 1000 },
    ],
    [
      'at the soft span limit refuses with 429',
      [[80, 100]],
      [1, 1],
      { admitted: false, status: 429, retryAfterSeconds: 7 },
      { spans: 80, bytes: 100 },
    ],
    [
      'at the soft byte limit refuses with 429',
      [[1, 800]],
      [1, 1],
      { admitted: false, status: 429, retryAfterSeconds: 7 },
      { spans: 1, bytes: 800 },
    ],
    [
      'crossing the hard span limit refuses the whole request with 503',
      [[70, 10]],
      [31, 1],
      { admitted: false, status: 503, retryAfterSeconds: 7 },
      { spans: 70, bytes: 10 },
    ],
    [
      'crossing the hard byte limit refuses the whole request with 503',
      [[1, 700]],
      [1, 301],
      { admitted: false, status: 503, retryAfterSeconds: 7 },
      { spans: 1, bytes: 700 },
    ],
    [
      'a request larger than the hard limit never fits: 413',
      [],
      [101, 1],
      { admitted: false, status: 413 },
      { spans: 0, bytes: 0 },
    ],
    [
      'a request larger than the hard byte limit never fits: 413',
      [],
      [1, 1001],
      { admitted: false, status: 413 },
      { spans: 0, bytes: 0 },
    ],
  ] as const)('%s', (_name, before, [spans, bytes], expected, usage) => {
    const limiter = new MemoryLimiter(limits);
    for (const [s, b] of before)
      expect(limiter.tryReserve(s, b).admitted).toBe(true);
    expect(limiter.tryReserve(spans, bytes)).toMatchObject(expected);
    expect(limiter.usage()).toEqual(usage);
  });

  it('checks the soft limit without reserving', () => {
    const limiter = new MemoryLimiter(limits);
    expect(limiter.check()).toEqual({ admitted: true });
    limiter.tryReserve(80, 1);
    expect(limiter.check()).toMatchObject({
      admitted: false,
      status: 429,
      retryAfterSeconds: 7,
    });
    expect(limiter.usage()).toEqual({ spans: 80, bytes: 1 });
  });

  it('grows past its reservation without refusing', () => {
    const limiter = new MemoryLimiter(limits);
    limiter.tryReserve(1, 10);
    limiter.grow(5);
    expect(limiter.usage()).toEqual({ spans: 1, bytes: 15 });
  });

  it('admits again after releasing', () => {
    const limiter = new MemoryLimiter(limits);
    expect(limiter.tryReserve(90, 900).admitted).toBe(true);
    expect(limiter.tryReserve(1, 1).admitted).toBe(false);
    limiter.release(90, 900);
    expect(limiter.usage()).toEqual({ spans: 0, bytes: 0 });
    expect(limiter.tryReserve(1, 1).admitted).toBe(true);
  });

  it('never goes negative on over-release', () => {
    const limiter = new MemoryLimiter(limits);
    limiter.release(5, 5);
    expect(limiter.usage()).toEqual({ spans: 0, bytes: 0 });
  });
});

describe('MemoryLimiter reservations (request bodies being read)', () => {
  it('holds bytes as they are added, visible to the soft-limit check', () => {
    const limiter = new MemoryLimiter(limits);
    const r = limiter.reserve();
    expect(r.grow(500)).toEqual({ admitted: true });
    expect(r.grow(300)).toEqual({ admitted: true });
    expect(r.bytes).toBe(800);
    expect(limiter.usage()).toEqual({ spans: 0, bytes: 800 });
    expect(limiter.check()).toMatchObject({ admitted: false, status: 429 });
  });

  it('refuses growth past the hard limit with 503 + Retry-After, keeping what it held', () => {
    const limiter = new MemoryLimiter(limits);
    limiter.tryReserve(1, 600);
    const r = limiter.reserve();
    expect(r.grow(300).admitted).toBe(true);
    expect(r.grow(101)).toMatchObject({
      admitted: false,
      status: 503,
      retryAfterSeconds: 7,
      reason: 'memory_limit',
    });
    expect(limiter.usage()).toEqual({ spans: 1, bytes: 900 });
    r.release();
    expect(limiter.usage()).toEqual({ spans: 1, bytes: 600 });
  });

  it('refuses a body that alone would exceed the hard limit with 413', () => {
    const limiter = new MemoryLimiter(limits);
    const r = limiter.reserve();
    expect(r.grow(900).admitted).toBe(true);
    expect(r.grow(101)).toMatchObject({ admitted: false, status: 413 });
    r.release();
    expect(limiter.usage()).toEqual({ spans: 0, bytes: 0 });
  });

  it('commits into the batch reservation: spans added, unused bytes given back', () => {
    const limiter = new MemoryLimiter(limits);
    const r = limiter.reserve();
    r.grow(600);
    expect(r.commit(10, 450)).toEqual({ admitted: true });
    expect(limiter.usage()).toEqual({ spans: 10, bytes: 450 });
    // Released after commit: nothing more is given back.
    r.release();
    expect(limiter.usage()).toEqual({ spans: 10, bytes: 450 });
    expect(() => r.grow(1)).toThrow('already committed');
  });

  it.each([
    ['above the soft span limit: 429', [80, 0], [1, 100], 429],
    [
      'above the soft byte limit without this body: 429',
      [1, 800],
      [1, 100],
      429,
    ],
    ['crossing the hard span limit: 503', [70, 0], [31, 100], 503],
    ['more spans than the hard limit: 413', [0, 0], [101, 100], 413],
  ] as const)(
    'refuses to commit %s, and release then gives the body back',
    (_name, [heldSpans, heldBytes], [spans, bytes], status) => {
      const limiter = new MemoryLimiter(limits);
      if (heldSpans || heldBytes) limiter.tryReserve(heldSpans, heldBytes);
      const r = limiter.reserve();
      expect(r.grow(100).admitted).toBe(true);
      expect(r.commit(spans, bytes)).toMatchObject({ admitted: false, status });
      r.release();
      expect(limiter.usage()).toEqual({ spans: heldSpans, bytes: heldBytes });
    },
  );

  it('commits a body that by itself takes usage above the soft limit', () => {
    const limiter = new MemoryLimiter(limits);
    const r = limiter.reserve();
    r.grow(900);
    expect(r.commit(5, 900)).toEqual({ admitted: true });
    expect(limiter.usage()).toEqual({ spans: 5, bytes: 900 });
  });

  it('releases once only', () => {
    const limiter = new MemoryLimiter(limits);
    limiter.tryReserve(1, 100);
    const r = limiter.reserve();
    r.grow(50);
    r.release();
    r.release();
    expect(limiter.usage()).toEqual({ spans: 1, bytes: 100 });
  });
});
