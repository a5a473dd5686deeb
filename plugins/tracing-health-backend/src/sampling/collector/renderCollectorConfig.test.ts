import {
  SamplingPolicy,
  validateSamplingPolicy,
} from '@internal/plugin-tracing-health-common';
import YAML from 'yaml';
import { validateTailPolicies } from '@internal/tracing-pipeline';
import {
  renderCollectorConfig,
  toCollectorPolicy,
} from './renderCollectorConfig';

function policy(input: unknown): SamplingPolicy {
  const result = validateSamplingPolicy(input);
  if (!result.success) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const service = (name: string) => ({
  name: 'service',
  type: 'string_attribute',
  string_attribute: { key: 'service.name', values: [name] },
});
const sample = (percentage: number) => ({
  name: 'rate',
  type: 'probabilistic',
  probabilistic: { sampling_percentage: percentage },
});
const errors = {
  name: 'errors',
  type: 'status_code',
  status_code: { status_codes: ['ERROR'] },
};
const slow = (ms: number) => ({
  name: 'slow',
  type: 'latency',
  latency: { threshold_ms: ms },
});
const and = (name: string, ...subs: unknown[]) => ({
  name,
  type: 'and',
  and: { and_sub_policy: subs },
});

function render(
  services: Array<{
    serviceName: string;
    policy: SamplingPolicy;
    adaptiveRate?: number;
  }>,
  defaultPolicy = policy({ strategy: { type: 'probabilistic', rate: 0.1 } }),
  spansPerTrace = 1,
) {
  const text = renderCollectorConfig({
    services,
    defaultPolicy: { policy: defaultPolicy },
    spansPerTrace,
    version: 7,
    generatedAt: new Date('2026-11-22T10:00:00Z'),
  });
  return { text, parsed: YAML.parse(text) };
}

describe('renderCollectorConfig', () => {
  it.each<[string, unknown, number | undefined, unknown[]]>([
    [
      'probabilistic, errors and slow kept',
      { strategy: { type: 'probabilistic', rate: 0.25 } },
      undefined,
      [
        and('service:svc:sample', service('svc'), sample(25)),
        and('service:svc:errors', service('svc'), errors),
        and('service:svc:slow', service('svc'), slow(5000)),
      ],
    ],
    [
      'errors only',
      {
        strategy: { type: 'probabilistic', rate: 0.07 },
        alwaysKeep: { keepErrors: true },
      },
      undefined,
      [
        and('service:svc:sample', service('svc'), sample(7)),
        and('service:svc:errors', service('svc'), errors),
      ],
    ],
    [
      'adaptive at its computed rate',
      {
        strategy: {
          type: 'adaptive',
          targetTracesPerSecond: 5,
          minRate: 0.01,
          maxRate: 1,
        },
        alwaysKeep: { keepErrors: false, keepSlowerThanMs: 1500 },
      },
      0.33,
      [
        and('service:svc:sample', service('svc'), sample(33)),
        and('service:svc:slow', service('svc'), slow(1500)),
      ],
    ],
    [
      'rate limiting, spans per trace applied',
      {
        strategy: { type: 'rate-limiting', tracesPerSecond: 4 },
        alwaysKeep: { keepErrors: false },
      },
      undefined,
      [
        and('service:svc:sample', service('svc'), {
          name: 'rate',
          type: 'rate_limiting',
          rate_limiting: { spans_per_second: 40 },
        }),
      ],
    ],
    [
      'sampled in the SDK: keep what arrives',
      {
        strategy: { type: 'probabilistic', rate: 0.05 },
        samplingLocation: 'sdk',
      },
      undefined,
      [and('service:svc:sample', service('svc'), sample(100))],
    ],
    [
      'disabled',
      {
        strategy: { type: 'probabilistic', rate: 0 },
        alwaysKeep: { keepErrors: false },
      },
      undefined,
      [and('service:svc:sample', service('svc'), sample(0))],
    ],
  ])('maps %s one-to-one', (_, input, adaptiveRate, expected) => {
    const { parsed } = render(
      [{ serviceName: 'svc', policy: policy(input), adaptiveRate }],
      undefined,
      10,
    );
    const policies = parsed.processors.tail_sampling.policies;
    expect(policies.filter((p: any) => p.name.startsWith('service:'))).toEqual(
      expected,
    );
  });

  it('scopes the default policy to every other service and sets the head-sampling rate', () => {
    const { parsed } = render(
      [
        {
          serviceName: 'b-svc',
          policy: policy({ strategy: { type: 'probabilistic', rate: 1 } }),
        },
        {
          serviceName: 'a-svc',
          policy: policy({ strategy: { type: 'probabilistic', rate: 0.5 } }),
        },
      ],
      policy({
        strategy: { type: 'probabilistic', rate: 0.02 },
        alwaysKeep: { keepErrors: true },
      }),
    );
    expect(parsed.processors.probabilistic_sampler).toEqual({
      sampling_percentage: 2,
    });
    const policies = parsed.processors.tail_sampling.policies;
    expect(policies.map((p: any) => p.name)).toEqual([
      'service:a-svc:sample',
      'service:a-svc:errors',
      'service:a-svc:slow',
      'service:b-svc:sample',
      'service:b-svc:errors',
      'service:b-svc:slow',
      'default:sample',
      'default:errors',
    ]);
    const others = {
      name: 'other-services',
      type: 'string_attribute',
      string_attribute: {
        key: 'service.name',
        values: ['a-svc', 'b-svc'],
        invert_match: true,
      },
    };
    expect(policies.slice(-2)).toEqual([
      and('default:sample', others, sample(2)),
      and('default:errors', others, errors),
    ]);
    expect(new Set(policies.map((p: any) => p.name)).size).toBe(
      policies.length,
    );
  });

  it('renders the default alone, without a service filter, when no service is known', () => {
    const { parsed } = render([]);
    expect(parsed.processors.tail_sampling.policies[0]).toEqual(
      and('default:sample', sample(10)),
    );
  });

  it('says which operation rules it leaves to the pipeline, in a comment', () => {
    const { text } = render([
      {
        serviceName: 'svc',
        policy: policy({
          strategy: { type: 'probabilistic', rate: 0.1 },
          operations: [{ match: { type: 'span-name', name: 'x' }, rate: 1 }],
        }),
      },
    ]);
    expect(text).toMatch(/^# Generated by Tracing Health/);
    expect(text).toMatch(/not rendered here for: svc\./);
  });
});

describe('toCollectorPolicy', () => {
  it('renders every kind in the tail policy list, the newest (boolean_attribute) included', () => {
    const parsed = validateTailPolicies([
      { name: 'dbg', type: 'boolean_attribute', key: 'debug', value: true },
      {
        name: 'both',
        type: 'and',
        policies: [
          {
            name: 'dbg',
            type: 'boolean_attribute',
            key: 'debug',
            value: false,
          },
          { name: 'big', type: 'span_count', minSpans: 10 },
        ],
      },
    ]);
    expect(parsed.value!.map(toCollectorPolicy)).toEqual([
      {
        name: 'dbg',
        type: 'boolean_attribute',
        boolean_attribute: { key: 'debug', value: true },
      },
      {
        name: 'both',
        type: 'and',
        and: {
          and_sub_policy: [
            {
              name: 'dbg',
              type: 'boolean_attribute',
              boolean_attribute: { key: 'debug', value: false },
            },
            { name: 'big', type: 'span_count', span_count: { min_spans: 10 } },
          ],
        },
      },
    ]);
  });
});
