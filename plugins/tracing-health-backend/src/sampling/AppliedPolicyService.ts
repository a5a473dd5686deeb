import { Clock } from './clock';
import { renderCollectorConfig } from './collector/renderCollectorConfig';
import {
  GatewayResolver,
  renderTwoTierCollectorConfig,
  TwoTierTier,
} from './collector/renderTwoTierCollectorConfig';
import { DatabasePolicySource } from './DatabasePolicySource';
import { toJaegerStrategy } from './jaeger/toJaegerStrategy';
import { SamplingControlConfig } from './readSamplingConfig';
import { SamplingControlService } from './SamplingControlService';

/** The Collector layout `/collector-config` renders. */
export type CollectorLayout =
  | { layout: 'processors' }
  | { layout: 'two-tier'; resolver: GatewayResolver; tier?: TwoTierTier };

export interface AppliedPolicyServiceOptions {
  source: DatabasePolicySource;
  control: SamplingControlService;
  config: SamplingControlConfig;
  clock: Clock;
}

/**
 * The policies this replica applies now, from the policy source's cache (what the samplers
 * read; other replicas catch up within `refreshSeconds`): the SDKs' Jaeger strategies, the
 * policy list and the Collector configs.
 */
export class AppliedPolicyService {
  constructor(private readonly options: AppliedPolicyServiceOptions) {}

  /** A service's Jaeger remote-sampling strategy. */
  jaegerStrategy(serviceName: string) {
    const { source, control } = this.options;
    const { resolved } = source.describe(serviceName);
    return toJaegerStrategy(
      resolved.effective,
      control.adaptiveRateFor(serviceName, resolved.effective),
    );
  }

  /** The default policy and every known service's, with where each field came from. */
  list() {
    const { source } = this.options;
    return {
      version: source.storedVersion(),
      default: this.describe(undefined),
      items: source.serviceNames().map(name => this.describe(name)),
    };
  }

  /** The OTel Collector config (YAML) of every service's policy. */
  collectorConfig(layout: CollectorLayout): string {
    const { source, control, config, clock } = this.options;
    const services = source.serviceNames().map(serviceName => {
      const policy = source.describe(serviceName).resolved.effective;
      return {
        serviceName,
        policy,
        adaptiveRate: control.adaptiveRateFor(serviceName, policy),
      };
    });
    const defaultPolicy = source.describeDefault().resolved.effective;
    const input = {
      services,
      defaultPolicy: { policy: defaultPolicy },
      spansPerTrace: config.collectorSpansPerTrace,
      version: source.storedVersion(),
      generatedAt: clock.now(),
    };
    return layout.layout === 'two-tier'
      ? renderTwoTierCollectorConfig({
          ...input,
          resolver: layout.resolver,
          tier: layout.tier,
        })
      : renderCollectorConfig(input);
  }

  private describe(serviceName: string | undefined) {
    const { source, control } = this.options;
    const view = serviceName
      ? source.describe(serviceName)
      : source.describeDefault();
    const { origin, tier, ...policy } = view.resolved.effective;
    return {
      serviceName,
      entityRef: view.entity?.entityRef,
      conflictingEntities: view.entity?.conflictingEntities,
      tier,
      origin,
      policy,
      sources: view.resolved.sources,
      adaptiveRate: control.adaptiveRateFor(serviceName, policy),
    };
  }
}
