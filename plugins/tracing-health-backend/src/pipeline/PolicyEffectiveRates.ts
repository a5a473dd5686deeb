import { SamplingPolicySource } from '@internal/plugin-tracing-health-common';
import { strategyRateOf } from '@internal/tracing-pipeline';
import { EffectiveRateProvider } from '../coverage/EffectiveRateProvider';

/**
 * The sampling rate a service's traces get (`strategyRateOf` its effective policy's strategy and
 * the adaptive sampler's computed rate), as the pages show it. Rate-limited services have no
 * fixed rate.
 */
export class PolicyEffectiveRates implements EffectiveRateProvider {
  constructor(
    private readonly policySource: SamplingPolicySource,
    private readonly adaptiveRates: () => Record<string, number>,
  ) {}

  effectiveSamplingRate(serviceName: string): number | undefined {
    const policy =
      this.policySource.getPolicy(serviceName) ??
      this.policySource.getDefaultPolicy();
    return strategyRateOf(
      policy.strategy,
      policy.strategy.type === 'adaptive'
        ? this.adaptiveRates()[serviceName]
        : undefined,
    );
  }
}
