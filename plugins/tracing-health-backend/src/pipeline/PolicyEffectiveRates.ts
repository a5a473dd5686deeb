import { SamplingPolicySource } from '@internal/plugin-tracing-health-common';
import { EffectiveRateProvider } from '../coverage/EffectiveRateProvider';

/**
 * The sampling rate a service's traces get: the adaptive sampler's computed rate, or the
 * probabilistic rate of its effective policy. Rate-limited services have no fixed rate.
 */
export class PolicyEffectiveRates implements EffectiveRateProvider {
  constructor(
    private readonly policySource: SamplingPolicySource,
    private readonly adaptiveRates: () => Record<string, number>,
  ) {}

  effectiveSamplingRate(serviceName: string): number | undefined {
    const policy =
      this.policySource.getPolicy(serviceName) ?? this.policySource.getDefaultPolicy();
    switch (policy.strategy.type) {
      case 'probabilistic':
        return policy.strategy.rate;
      case 'adaptive':
        return this.adaptiveRates()[serviceName];
      default:
        return undefined;
    }
  }
}
