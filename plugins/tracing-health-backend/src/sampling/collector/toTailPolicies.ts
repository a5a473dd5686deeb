import { SamplingPolicy } from '@internal/plugin-tracing-health-common';
import {
  type TailLeafPolicy,
  type TailPolicy,
  strategyRateOf,
} from '@internal/tracing-pipeline';
import { keepsNothing } from '../jaeger/toJaegerStrategy';

/** One service's effective policy, as input to the collector rendering. */
export interface ServiceSamplingPolicy {
  serviceName: string;
  policy: SamplingPolicy;
  adaptiveRate?: number;
}

export interface TailPolicyOptions {
  /** The collector's `rate_limiting` counts spans: spans/s = traces/s × this. */
  spansPerTrace: number;
}

export interface TailPolicyPlan {
  policies: TailPolicy[];
  /** Services whose operation rules the collector config does not carry. */
  servicesWithOperationRules: string[];
}

export const DEFAULT_POLICY_PREFIX = 'default';

/** `service:<name>`; the `default` prefix cannot collide with it. */
export function servicePolicyPrefix(serviceName: string): string {
  return `service:${serviceName}`;
}

function rateLeaf(
  policy: SamplingPolicy,
  adaptiveRate: number | undefined,
  options: TailPolicyOptions,
): TailLeafPolicy {
  if (keepsNothing(policy))
    return { name: 'rate', type: 'probabilistic', rate: 0 };
  // SDK-sampled traces arrive already sampled: keep them all.
  if (policy.samplingLocation === 'sdk')
    return { name: 'rate', type: 'probabilistic', rate: 1 };
  const rate = strategyRateOf(policy.strategy, adaptiveRate);
  if (rate !== undefined) return { name: 'rate', type: 'probabilistic', rate };
  const tracesPerSecond =
    policy.strategy.type === 'rate-limiting'
      ? policy.strategy.tracesPerSecond
      : 0;
  return {
    name: 'rate',
    type: 'rate_limiting',
    spansPerSecond: tracesPerSecond * options.spansPerTrace,
  };
}

/**
 * The policies one effective policy becomes, each an `and` of `scope` (which services) and one
 * rule: `<prefix>:sample` (its rate), `<prefix>:errors` (status ERROR, when errors are kept) and
 * `<prefix>:slow` (latency, when slow traces are kept). SDK-sampled and disabled services get
 * only `:sample`.
 */
function policiesFor(
  prefix: string,
  scope: TailLeafPolicy | undefined,
  policy: SamplingPolicy,
  adaptiveRate: number | undefined,
  options: TailPolicyOptions,
): TailPolicy[] {
  const and = (suffix: string, leaf: TailLeafPolicy): TailPolicy => ({
    name: `${prefix}:${suffix}`,
    type: 'and',
    policies: scope ? [scope, leaf] : [leaf],
  });
  const out = [and('sample', rateLeaf(policy, adaptiveRate, options))];
  if (policy.samplingLocation === 'sdk' || keepsNothing(policy)) return out;
  if (policy.alwaysKeep.keepErrors) {
    out.push(
      and('errors', {
        name: 'errors',
        type: 'status_code',
        statusCodes: ['ERROR'],
      }),
    );
  }
  if (policy.alwaysKeep.keepSlowerThanMs !== undefined) {
    out.push(
      and('slow', {
        name: 'slow',
        type: 'latency',
        thresholdMs: policy.alwaysKeep.keepSlowerThanMs,
      }),
    );
  }
  return out;
}

/**
 * The collector `tail_sampling` policies equivalent to the effective policies: each listed
 * service's policies scoped by `service.name`, then the default policy scoped to every other
 * service. Per-operation rules are left to the pipeline and SDKs: the collector ORs its policies,
 * which cannot express "the first matching rule wins".
 */
export function toTailPolicies(
  services: readonly ServiceSamplingPolicy[],
  defaultPolicy: Omit<ServiceSamplingPolicy, 'serviceName'>,
  options: TailPolicyOptions,
): TailPolicyPlan {
  const sorted = [...services].sort((a, b) =>
    a.serviceName.localeCompare(b.serviceName),
  );
  const policies: TailPolicy[] = [];
  for (const service of sorted) {
    policies.push(
      ...policiesFor(
        servicePolicyPrefix(service.serviceName),
        {
          name: 'service',
          type: 'string_attribute',
          key: 'service.name',
          values: [service.serviceName],
        },
        service.policy,
        service.adaptiveRate,
        options,
      ),
    );
  }
  const others: TailLeafPolicy | undefined =
    sorted.length > 0
      ? {
          name: 'other-services',
          type: 'string_attribute',
          key: 'service.name',
          values: sorted.map(s => s.serviceName),
          invertMatch: true,
        }
      : undefined;
  policies.push(
    ...policiesFor(
      DEFAULT_POLICY_PREFIX,
      others,
      defaultPolicy.policy,
      defaultPolicy.adaptiveRate,
      options,
    ),
  );
  return {
    policies,
    servicesWithOperationRules: sorted
      .filter(s => s.policy.operations.length > 0)
      .map(s => s.serviceName),
  };
}
