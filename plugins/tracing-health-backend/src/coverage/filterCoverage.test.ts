import { EntityCoverage } from '@internal/plugin-tracing-health-common';
import { matchesOwnerAndSystem, sortCoverage } from './filterCoverage';

function item(
  name: string,
  extra: Partial<EntityCoverage> = {},
): EntityCoverage {
  return {
    entityRef: `component:default/${name}`,
    kind: 'component',
    name,
    namespace: 'default',
    serviceName: name,
    optedIn: true,
    tier: 'standard',
    state: 'traced',
    figures: {
      spansPerSecond: 0,
      requestsPerSecond: 0,
      tracesPerSecond: 0,
      judgedTraces: 0,
      orphanSpans: 0,
    },
    ...extra,
  };
}

describe('matchesOwnerAndSystem', () => {
  it.each([
    ['group:default/payments-team', 'payments-team', true],
    ['group:default/payments-team', 'group:default/payments-team', true],
    ['group:default/payments-team', 'default/payments-team', true],
    ['payments-team', 'group:default/payments-team', true],
    ['group:default/payments-team', 'PAYMENTS-TEAM', true],
    ['group:default/payments-team', 'group:other/payments-team', false],
    ['group:default/payments-team', 'user:default/payments-team', false],
    ['group:default/payments-team', 'payments', false],
  ])('owner %s matches %s: %s', (owner, wanted, expected) => {
    expect(
      matchesOwnerAndSystem(item('x', { owner }), { owner: [wanted] }),
    ).toBe(expected);
  });

  it('needs both filters to match and any of several values', () => {
    const i = item('x', { owner: 'team-a', system: 'shop' });
    expect(
      matchesOwnerAndSystem(i, {
        owner: ['team-b', 'team-a'],
        system: ['shop'],
      }),
    ).toBe(true);
    expect(
      matchesOwnerAndSystem(i, { owner: ['team-a'], system: ['payments'] }),
    ).toBe(false);
    expect(matchesOwnerAndSystem(item('y'), { owner: ['team-a'] })).toBe(false);
  });
});

describe('sortCoverage', () => {
  const items = [
    item('b', {
      figures: {
        spansPerSecond: 1,
        requestsPerSecond: 2,
        tracesPerSecond: 2,
        judgedTraces: 1,
        orphanSpans: 0,
        completeness: 0.5,
      },
    }),
    item('a', { state: 'silent' }),
    item('c', {
      figures: {
        spansPerSecond: 1,
        requestsPerSecond: 2,
        tracesPerSecond: 2,
        judgedTraces: 1,
        orphanSpans: 0,
        completeness: 0.9,
      },
    }),
  ];

  it('sorts numbers and strings both ways, ties by entity ref, missing values last', () => {
    expect(sortCoverage(items, 'name', 'asc').map(i => i.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(sortCoverage(items, 'name', 'desc').map(i => i.name)).toEqual([
      'c',
      'b',
      'a',
    ]);
    expect(
      sortCoverage(items, 'tracesPerSecond', 'desc').map(i => i.name),
    ).toEqual(['b', 'c', 'a']);
    expect(sortCoverage(items, 'completeness', 'asc').map(i => i.name)).toEqual(
      ['b', 'c', 'a'],
    );
    expect(
      sortCoverage(items, 'completeness', 'desc').map(i => i.name),
    ).toEqual(['c', 'b', 'a']);
    expect(sortCoverage(items, 'state', 'desc').map(i => i.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
