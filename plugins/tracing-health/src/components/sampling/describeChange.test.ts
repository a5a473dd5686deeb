import { describeChange } from './describeChange';

const stored = (policy: unknown) => ({
  serviceName: 'orders',
  policy,
  updatedBy: 'user:default/guest',
  updatedAt: '2026-12-03T10:00:00Z',
});

const full = (rate: number, extra: object = {}) => ({
  strategy: { type: 'probabilistic', rate },
  operations: [],
  alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
  samplingLocation: 'pipeline',
  ...extra,
});

describe('describeChange', () => {
  it('names a changed rate in words, not JSON', () => {
    expect(
      describeChange({ before: stored(full(1)), after: stored(full(0.25)) }),
    ).toEqual(['rate 100% → 25%']);
  });

  it('lists every changed field', () => {
    const lines = describeChange({
      before: stored(full(0.1)),
      after: stored(
        full(0.1, {
          strategy: {
            type: 'adaptive',
            targetTracesPerSecond: 20,
            minRate: 0.01,
            maxRate: 1,
          },
          alwaysKeep: { keepErrors: false, keepSlowerThanMs: null },
          operations: [
            { match: { type: 'exact', value: 'GET /health' }, rate: 0 },
          ],
          samplingLocation: 'sdk',
        }),
      ),
    });
    expect(lines).toEqual([
      'strategy probabilistic 10% → adaptive 20/s [1%..100%]',
      '0 operation rules → 1 operation rule',
      'keep errors yes → no',
      'keep slower than 5000 ms → off',
      'sampled in pipeline → sdk',
    ]);
    expect(lines.join(' ')).not.toContain('{');
  });

  it('describes the first policy and a reset against the tier default', () => {
    // The editor stores a patch: the fields it leaves out stay the tier's.
    const rateOnly = stored({
      strategy: { type: 'probabilistic', rate: 0.25 },
    });
    expect(describeChange({ before: null, after: rateOnly })).toEqual([
      'rate tier default → 25%',
    ]);
    expect(describeChange({ before: rateOnly, after: null })).toEqual([
      'rate 25% → tier default',
    ]);
    expect(describeChange({ before: stored(full(0.25)), after: null })).toEqual(
      [
        'rate 25% → tier default',
        '0 operation rules → inherited rules',
        'keep errors yes → default',
        'keep slower than 5000 ms → default',
        'sampled in pipeline → default',
      ],
    );
  });

  it('describes overrides and maintenance with their own words', () => {
    expect(
      describeChange({
        before: null,
        after: { action: 'cap-rate', maxRate: 0.05, scope: 'fleet' },
      }),
    ).toEqual(['— → cap at 5% (fleet)']);
  });

  it('bounds what a huge record can put in the table', () => {
    const rules = Array.from({ length: 100 }, (_, i) => ({
      match: { type: 'exact', value: `op${i}` },
      rate: 0,
    }));
    const lines = describeChange({
      before: stored({
        strategy: {
          type: 'adaptive',
          targetTracesPerSecond: 1,
          minRate: 0,
          maxRate: 1,
        },
      }),
      after: stored({
        strategy: {
          type: 'adaptive',
          targetTracesPerSecond: 2,
          minRate: 0.1,
          maxRate: 0.5,
        },
        operations: rules,
        alwaysKeep: { keepErrors: false, keepSlowerThanMs: 10 },
        samplingLocation: 'sdk',
      }),
    });
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatch(/^and \d+ more$/);
  });
});
