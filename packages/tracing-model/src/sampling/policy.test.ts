import {
  applySamplingPolicyPatch,
  describeStrategy,
  tierDefaultPolicy,
  defaultSamplingPolicy,
  validateSamplingPolicy,
  validateSamplingPolicyPatch,
} from './index';
import { TRACING_TIERS } from '../tiers';

/** An exact message, or any message matching a pattern. */
const messageMatcher = (message: string | RegExp) =>
  typeof message === 'string' ? message : expect.stringMatching(message);

describe('validateSamplingPolicy', () => {
  it('applies defaults to a minimal policy', () => {
    const result = validateSamplingPolicy({
      strategy: { type: 'probabilistic', rate: 0.25 },
    });
    expect(result).toEqual({
      success: true,
      value: {
        strategy: { type: 'probabilistic', rate: 0.25 },
        operations: [],
        alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
        samplingLocation: 'pipeline',
      },
    });
  });

  it('does not share default objects between results', () => {
    const a = validateSamplingPolicy({
      strategy: { type: 'probabilistic', rate: 1 },
    });
    const b = validateSamplingPolicy({
      strategy: { type: 'probabilistic', rate: 1 },
    });
    expect(a.value!.alwaysKeep).not.toBe(b.value!.alwaysKeep);
    expect(a.value!.operations).not.toBe(b.value!.operations);
  });

  it.each([
    ['probabilistic', { type: 'probabilistic', rate: 0 }],
    [
      'adaptive',
      {
        type: 'adaptive',
        targetTracesPerSecond: 5,
        minRate: 0.001,
        maxRate: 1,
      },
    ],
    [
      'adaptive, min = max',
      {
        type: 'adaptive',
        targetTracesPerSecond: 5,
        minRate: 0.5,
        maxRate: 0.5,
      },
    ],
    ['rate-limiting', { type: 'rate-limiting', tracesPerSecond: 0.5 }],
  ])('accepts a %s strategy', (_, strategy) => {
    const result = validateSamplingPolicy({ strategy });
    expect(result.errors).toBeUndefined();
    expect(result.value!.strategy).toEqual(strategy);
  });

  it('accepts every kind of operation rule and always-keep setting', () => {
    const input = {
      strategy: { type: 'probabilistic', rate: 0.1 },
      operations: [
        { match: { type: 'span-name', name: 'GET /health' }, rate: 0 },
        {
          match: { type: 'span-name-regex', pattern: '^POST /orders/\\d+$' },
          rate: 1,
        },
        {
          match: { type: 'attribute', key: 'tenant', equals: 'acme' },
          rate: 0.5,
          description: 'acme',
        },
        {
          match: { type: 'attribute', key: 'http.status_code', equals: 500 },
          rate: 1,
        },
        {
          match: { type: 'attribute', key: 'synthetic', equals: true },
          rate: 0,
        },
      ],
      alwaysKeep: { keepErrors: false },
      samplingLocation: 'sdk',
    };
    const result = validateSamplingPolicy(input);
    expect(result.errors).toBeUndefined();
    expect(result.value).toEqual(input);
  });

  it.each<[string, unknown, Array<{ path: string; message: string | RegExp }>]>(
    [
      ['not an object', 'fast', [{ path: '', message: /object/i }]],
      ['missing strategy', {}, [{ path: 'strategy', message: /required/i }]],
      [
        'unknown strategy type',
        { strategy: { type: 'tail', rate: 1 } },
        [
          {
            path: 'strategy.type',
            message: 'must be one of probabilistic, adaptive, rate-limiting',
          },
        ],
      ],
      [
        'rate above 1',
        { strategy: { type: 'probabilistic', rate: 1.5 } },
        [{ path: 'strategy.rate', message: 'must be between 0 and 1' }],
      ],
      [
        'rate as a string',
        { strategy: { type: 'probabilistic', rate: '0.1' } },
        [
          {
            path: 'strategy.rate',
            message: 'must be a number between 0 and 1',
          },
        ],
      ],
      [
        'rate NaN',
        { strategy: { type: 'probabilistic', rate: NaN } },
        [{ path: 'strategy.rate', message: /number/ }],
      ],
      [
        'adaptive min above max',
        {
          strategy: {
            type: 'adaptive',
            targetTracesPerSecond: 1,
            minRate: 0.5,
            maxRate: 0.1,
          },
        },
        [
          {
            path: 'strategy.minRate',
            message: 'must not be greater than maxRate',
          },
        ],
      ],
      [
        'adaptive without target',
        { strategy: { type: 'adaptive', minRate: 0.1, maxRate: 1 } },
        [{ path: 'strategy.targetTracesPerSecond', message: 'is required' }],
      ],
      [
        'rate-limiting zero',
        { strategy: { type: 'rate-limiting', tracesPerSecond: 0 } },
        [
          {
            path: 'strategy.tracesPerSecond',
            message: 'must be a positive number of traces per second',
          },
        ],
      ],
      [
        'unknown field',
        { strategy: { type: 'probabilistic', rate: 1 }, sampleRate: 3 },
        [{ path: 'sampleRate', message: 'is not a known field' }],
      ],
      [
        'unknown field in strategy',
        { strategy: { type: 'probabilistic', rate: 1, burst: 3 } },
        [{ path: 'strategy.burst', message: 'is not a known field' }],
      ],
      [
        'bad operation rule rate and match type',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          operations: [
            { match: { type: 'span-name', name: 'a' }, rate: 1 },
            { match: { type: 'span-name', name: 'b' }, rate: -1 },
            { match: { type: 'glob', name: 'c*' }, rate: 1 },
          ],
        },
        [
          { path: 'operations[1].rate', message: 'must be between 0 and 1' },
          {
            path: 'operations[2].match.type',
            message: 'must be one of span-name, span-name-regex, attribute',
          },
        ],
      ],
      [
        'invalid regex',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          operations: [
            { match: { type: 'span-name-regex', pattern: '(' }, rate: 1 },
          ],
        },
        [
          {
            path: 'operations[0].match.pattern',
            message: /not a valid regular expression/,
          },
        ],
      ],
      [
        'regex with a back-reference',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          operations: [
            {
              match: { type: 'span-name-regex', pattern: '^(a+)\\1$' },
              rate: 1,
            },
          ],
        },
        [
          {
            path: 'operations[0].match.pattern',
            message: /^must not use back-references/,
          },
        ],
      ],
      [
        'regex with a lookbehind',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          operations: [
            { match: { type: 'span-name', name: 'a' }, rate: 1 },
            {
              match: { type: 'span-name-regex', pattern: '(?<=GET )/orders' },
              rate: 1,
            },
          ],
        },
        [
          {
            path: 'operations[1].match.pattern',
            message: /^must not use lookahead or lookbehind/,
          },
        ],
      ],
      [
        'attribute equals object',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          operations: [
            { match: { type: 'attribute', key: 'k', equals: {} }, rate: 1 },
          ],
        },
        [
          {
            path: 'operations[0].match.equals',
            message: 'must be a string, number or boolean',
          },
        ],
      ],
      [
        'keepSlowerThanMs negative, keepErrors missing',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          alwaysKeep: { keepSlowerThanMs: -5 },
        },
        [
          { path: 'alwaysKeep.keepErrors', message: 'is required' },
          {
            path: 'alwaysKeep.keepSlowerThanMs',
            message: 'must be a positive number of milliseconds',
          },
        ],
      ],
      [
        'unknown sampling location',
        {
          strategy: { type: 'probabilistic', rate: 1 },
          samplingLocation: 'collector',
        },
        [{ path: 'samplingLocation', message: 'must be one of pipeline, sdk' }],
      ],
    ],
  )('reports %s', (_, input, expected) => {
    const result = validateSamplingPolicy(input);
    expect(result.success).toBe(false);
    expect(result.errors).toEqual(
      expected.map(e => ({
        path: e.path,
        message: messageMatcher(e.message),
      })),
    );
  });
});

describe('tier defaults', () => {
  it.each([
    ['critical', 1],
    ['standard', 0.1],
    ['high-volume', 0.01],
  ] as const)(
    '%s seeds probabilistic %s with errors and slow spans kept',
    (tier, rate) => {
      const policy = tierDefaultPolicy(tier);
      expect(policy).toEqual({
        strategy: { type: 'probabilistic', rate },
        operations: [],
        alwaysKeep: { keepErrors: true, keepSlowerThanMs: 5000 },
        samplingLocation: 'pipeline',
      });
      expect(validateSamplingPolicy(policy).success).toBe(true);
    },
  );

  it('every tier has a seed and the default is the standard seed', () => {
    for (const tier of TRACING_TIERS)
      expect(tierDefaultPolicy(tier)).toBeDefined();
    expect(defaultSamplingPolicy()).toEqual(tierDefaultPolicy('standard'));
  });

  it('returns fresh copies', () => {
    const a = tierDefaultPolicy('critical');
    a.alwaysKeep.keepErrors = false;
    expect(tierDefaultPolicy('critical').alwaysKeep.keepErrors).toBe(true);
  });
});

describe('policy patches', () => {
  const base = tierDefaultPolicy('standard');

  it.each([
    ['nothing', {}, base],
    [
      'the strategy only',
      { strategy: { type: 'rate-limiting', tracesPerSecond: 3 } },
      { ...base, strategy: { type: 'rate-limiting', tracesPerSecond: 3 } },
    ],
    [
      'one always-keep field',
      { alwaysKeep: { keepSlowerThanMs: 200 } },
      { ...base, alwaysKeep: { keepErrors: true, keepSlowerThanMs: 200 } },
    ],
    [
      'the slow rule off',
      { alwaysKeep: { keepSlowerThanMs: null } },
      { ...base, alwaysKeep: { keepErrors: true } },
    ],
    [
      'the slow rule off as app-config spells it (its loader drops null)',
      { alwaysKeep: { keepSlowerThanMs: false } },
      { ...base, alwaysKeep: { keepErrors: true } },
    ],
    [
      'the location',
      { samplingLocation: 'sdk' },
      { ...base, samplingLocation: 'sdk' },
    ],
  ])('layers %s', (_, patch, expected) => {
    const parsed = validateSamplingPolicyPatch(patch);
    expect(parsed.errors).toBeUndefined();
    expect(applySamplingPolicyPatch(base, parsed.value)).toEqual(expected);
  });

  it('still names a bad slow threshold', () => {
    expect(
      validateSamplingPolicyPatch({ alwaysKeep: { keepSlowerThanMs: 'slow' } })
        .errors,
    ).toEqual([
      {
        path: 'alwaysKeep.keepSlowerThanMs',
        message: 'must be a number of milliseconds',
      },
    ]);
  });

  it('prefixes paths', () => {
    expect(
      validateSamplingPolicyPatch(
        { strategy: { type: 'probabilistic', rate: 2 } },
        'services.checkout',
      ).errors,
    ).toEqual([
      {
        path: 'services.checkout.strategy.rate',
        message: 'must be between 0 and 1',
      },
    ]);
  });
});

describe('span-name-regex patterns', () => {
  // They run on RE2 (linear time), so patterns that backtrack exponentially in JavaScript are fine.
  it.each(['^GET /api/.*$', '^(a+)+$', '((.)+)+X', '(a|a)*$', '(.*a){25}$'])(
    'accepts %s',
    pattern => {
      expect(
        validateSamplingPolicy({
          strategy: { type: 'probabilistic', rate: 1 },
          operations: [
            { match: { type: 'span-name-regex', pattern }, rate: 1 },
          ],
        }).errors,
      ).toBeUndefined();
    },
  );
});

describe('describeStrategy', () => {
  it.each([
    [{ type: 'probabilistic', rate: 0.1 }, 'probabilistic 10%'],
    [
      {
        type: 'adaptive',
        targetTracesPerSecond: 50,
        minRate: 0.001,
        maxRate: 1,
      },
      'adaptive 50/s [0.1%..100%]',
    ],
    [{ type: 'rate-limiting', tracesPerSecond: 2 }, 'rate-limiting 2/s'],
  ] as const)('%j', (strategy, text) => {
    expect(describeStrategy(strategy)).toBe(text);
  });
});
