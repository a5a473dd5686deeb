import { validateTailPolicies } from '.';

/** An exact message, or any message matching a pattern. */
const messageMatcher = (message: string | RegExp) =>
  typeof message === 'string' ? message : expect.stringMatching(message);

describe('validateTailPolicies', () => {
  it('accepts one policy of each type', () => {
    const input = [
      { name: 'all', type: 'always_sample' },
      { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
      { name: 'slow', type: 'latency', thresholdMs: 5000 },
      {
        name: 'band',
        type: 'latency',
        thresholdMs: 100,
        upperThresholdMs: 200,
      },
      {
        name: 'vip',
        type: 'string_attribute',
        key: 'tenant',
        values: ['acme', 'globex'],
      },
      {
        name: 'vip-re',
        type: 'string_attribute',
        key: 'http.route',
        values: ['^/admin'],
        regex: true,
        invertMatch: true,
      },
      {
        name: '5xx',
        type: 'numeric_attribute',
        key: 'http.status_code',
        minValue: 500,
        maxValue: 599,
      },
      { name: 'some', type: 'probabilistic', rate: 0.05 },
      { name: 'cap', type: 'rate_limiting', spansPerSecond: 1000 },
      { name: 'big', type: 'span_count', minSpans: 100 },
      {
        name: 'slow-and-vip',
        type: 'and',
        policies: [
          { name: 'slow', type: 'latency', thresholdMs: 1000 },
          {
            name: 'vip',
            type: 'string_attribute',
            key: 'tenant',
            values: ['acme'],
          },
        ],
      },
      {
        name: 'budget',
        type: 'composite',
        maxTotalSpansPerSecond: 1000,
        policies: [
          { name: 'errors', type: 'status_code', statusCodes: ['ERROR'] },
          { name: 'rest', type: 'always_sample' },
        ],
        rateAllocation: [{ policy: 'errors', percent: 60 }],
      },
    ];
    const result = validateTailPolicies(input);
    expect(result.errors).toBeUndefined();
    expect(result.value).toHaveLength(input.length);
    expect(result.value![11]).toEqual(input[11]);
  });

  it('defaults composite rateAllocation to empty', () => {
    const result = validateTailPolicies([
      {
        name: 'c',
        type: 'composite',
        maxTotalSpansPerSecond: 10,
        policies: [{ name: 'a', type: 'always_sample' }],
      },
    ]);
    expect(result.value).toEqual([
      {
        name: 'c',
        type: 'composite',
        maxTotalSpansPerSecond: 10,
        policies: [{ name: 'a', type: 'always_sample' }],
        rateAllocation: [],
      },
    ]);
  });

  it.each<[string, unknown, Array<{ path: string; message: string | RegExp }>]>(
    [
      [
        'not a list',
        { name: 'x' },
        [{ path: '', message: 'must be a list of policies' }],
      ],
      [
        'unknown type',
        [{ name: 'x', type: 'ottl_condition' }],
        [{ path: '[0].type', message: /must be one of always_sample/ }],
      ],
      ['not an object', [3], [{ path: '[0]', message: 'must be an object' }]],
      [
        'duplicate names',
        [
          { name: 'x', type: 'always_sample' },
          { name: 'x', type: 'always_sample' },
        ],
        [{ path: '[1].name', message: 'duplicates the name "x"' }],
      ],
      [
        'bad name',
        [{ name: 'has space', type: 'always_sample' }],
        [{ path: '[0].name', message: /letters, digits/ }],
      ],
      [
        'no status codes',
        [{ name: 'e', type: 'status_code', statusCodes: [] }],
        [{ path: '[0].statusCodes', message: /at least one/ }],
      ],
      [
        'bad status code',
        [{ name: 'e', type: 'status_code', statusCodes: ['FAILED'] }],
        [
          {
            path: '[0].statusCodes[0]',
            message: 'must be one of UNSET, OK, ERROR',
          },
        ],
      ],
      [
        'latency bounds reversed',
        [
          {
            name: 'l',
            type: 'latency',
            thresholdMs: 100,
            upperThresholdMs: 50,
          },
        ],
        [
          {
            path: '[0].upperThresholdMs',
            message: 'must be greater than thresholdMs',
          },
        ],
      ],
      [
        'regex values RE2 cannot run',
        [
          {
            name: 's',
            type: 'string_attribute',
            key: 'k',
            values: ['ok', '(a*)*', 'x(?!y)', '(a)\\1'],
            regex: true,
          },
        ],
        [
          {
            path: '[0].values[2]',
            message: /^must not use lookahead or lookbehind/,
          },
          { path: '[0].values[3]', message: /^must not use back-references/ },
        ],
      ],
      [
        'numeric without bounds',
        [{ name: 'n', type: 'numeric_attribute', key: 'k' }],
        [{ path: '[0].minValue', message: 'minValue or maxValue is required' }],
      ],
      [
        'numeric min > max',
        [
          {
            name: 'n',
            type: 'numeric_attribute',
            key: 'k',
            minValue: 5,
            maxValue: 1,
          },
        ],
        [
          {
            path: '[0].minValue',
            message: 'must not be greater than maxValue',
          },
        ],
      ],
      [
        'probabilistic rate',
        [{ name: 'p', type: 'probabilistic', rate: 10 }],
        [{ path: '[0].rate', message: 'must be between 0 and 1' }],
      ],
      [
        'rate limit zero',
        [{ name: 'r', type: 'rate_limiting', spansPerSecond: 0 }],
        [{ path: '[0].spansPerSecond', message: /positive/ }],
      ],
      [
        'span count max < min',
        [{ name: 'c', type: 'span_count', minSpans: 10, maxSpans: 2 }],
        [{ path: '[0].maxSpans', message: 'must not be less than minSpans' }],
      ],
      [
        'unknown field',
        [{ name: 'c', type: 'span_count', minSpans: 1, min_spans: 2 }],
        [{ path: '[0].min_spans', message: 'is not a known field' }],
      ],
      [
        'nested and inside and',
        [
          {
            name: 'a',
            type: 'and',
            policies: [{ name: 'b', type: 'and', policies: [] }],
          },
        ],
        [
          {
            path: '[0].policies[0].type',
            message: /must be one of always_sample/,
          },
        ],
      ],
      [
        'composite allocation errors',
        [
          {
            name: 'c',
            type: 'composite',
            maxTotalSpansPerSecond: 100,
            policies: [
              { name: 'a', type: 'always_sample' },
              { name: 'b', type: 'always_sample' },
            ],
            rateAllocation: [
              { policy: 'a', percent: 80 },
              { policy: 'zz', percent: 30 },
            ],
          },
        ],
        [
          {
            path: '[0].rateAllocation[1].policy',
            message: 'names no sub-policy (have: a, b)',
          },
          {
            path: '[0].rateAllocation',
            message: 'percentages add up to 110, more than 100',
          },
        ],
      ],
    ],
  )('reports %s', (_, input, expected) => {
    const result = validateTailPolicies(input);
    expect(result.success).toBe(false);
    expect(result.errors).toEqual(
      expected.map(e => ({
        path: e.path,
        message: messageMatcher(e.message),
      })),
    );
  });

  it('prefixes paths', () => {
    const result = validateTailPolicies(
      [{ name: 'p', type: 'probabilistic', rate: 2 }],
      'tracingHealth.sampling.tail.policies',
    );
    expect(result.errors).toEqual([
      {
        path: 'tracingHealth.sampling.tail.policies[0].rate',
        message: 'must be between 0 and 1',
      },
    ]);
  });
});
