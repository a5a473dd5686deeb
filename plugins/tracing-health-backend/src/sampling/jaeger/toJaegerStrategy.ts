import {
  compileSafeRegexOrUndefined,
  JaegerSamplingStrategyResponse,
  OperationRule,
  SamplingPolicy,
} from '@internal/plugin-tracing-health-common';
import { strategyRateOf } from '@internal/tracing-pipeline';

/** True when the policy can keep no trace at all (e.g. a `disable` override). */
export function keepsNothing(policy: SamplingPolicy): boolean {
  return (
    policy.strategy.type === 'probabilistic' &&
    policy.strategy.rate === 0 &&
    policy.operations.every(rule => rule.rate === 0) &&
    !policy.alwaysKeep.keepErrors &&
    policy.alwaysKeep.keepSlowerThanMs === undefined
  );
}

function probabilistic(samplingRate: number): JaegerSamplingStrategyResponse {
  return {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate },
  };
}

/**
 * Jaeger names operations exactly, so only span names can be served. Each exact span name gets
 * the rate of the first rule that matches it in pipeline order, which may be an earlier regex
 * rule; attribute rules depend on span attributes and stay pipeline-only.
 */
function perOperationRates(
  operations: readonly OperationRule[],
): Array<[string, number]> {
  const names: string[] = [];
  for (const rule of operations) {
    if (rule.match.type === 'span-name' && !names.includes(rule.match.name)) {
      names.push(rule.match.name);
    }
  }
  // Compiled once per call, not once per name: this endpoint is unauthenticated.
  const tests = operations.map(rule => {
    if (rule.match.type === 'span-name') {
      const exact = rule.match.name;
      return (name: string) => name === exact;
    }
    if (rule.match.type === 'span-name-regex') {
      const re = compileSafeRegexOrUndefined(rule.match.pattern);
      return (name: string) => re?.test(name) ?? false;
    }
    return () => false;
  });
  return names.map(name => {
    const first = tests.findIndex(test => test(name));
    return [name, operations[first].rate];
  });
}

/**
 * What `GET /sampling?service=` serves an SDK for an effective policy.
 *
 * - `samplingLocation: pipeline`: PROBABILISTIC 1.0. SDKs send every trace and the pipeline
 *   samples (per-operation rules, errors and slow traces need the whole trace); sampling in both
 *   places would multiply the rates. Only a policy that keeps nothing (disabled) serves 0.
 * - `samplingLocation: sdk`: the strategy itself. Probabilistic: its rate, plus
 *   `operationSampling` for rules on exact span names. Adaptive: the current computed rate (see
 *   `strategyRateOf`). Rate limiting: RATE_LIMITING with `maxTracesPerSecond`, and
 *   `probabilisticSampling.samplingRate` 0, which Jaeger clients ignore for that type.
 */
export function toJaegerStrategy(
  policy: SamplingPolicy,
  adaptiveRate?: number,
): JaegerSamplingStrategyResponse {
  if (keepsNothing(policy)) return probabilistic(0);
  if (policy.samplingLocation === 'pipeline') return probabilistic(1);

  const rate = strategyRateOf(policy.strategy, adaptiveRate);
  if (rate === undefined) {
    const tracesPerSecond =
      policy.strategy.type === 'rate-limiting'
        ? policy.strategy.tracesPerSecond
        : 0;
    return {
      strategyType: 'RATE_LIMITING',
      probabilisticSampling: { samplingRate: 0 },
      rateLimitingSampling: { maxTracesPerSecond: tracesPerSecond },
    };
  }
  const response = probabilistic(rate);
  const operations = perOperationRates(policy.operations);
  if (operations.length > 0) {
    response.operationSampling = {
      defaultSamplingProbability: rate,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: operations.map(([operation, samplingRate]) => ({
        operation,
        probabilisticSampling: { samplingRate },
      })),
    };
  }
  return response;
}
