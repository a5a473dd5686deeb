import { TracingTier } from '../tiers';
import { SamplingPolicy } from './policySchema';
import type { SamplingDecidingLayer } from './whyKept';

/** Where an effective policy came from. */
export type SamplingPolicyOrigin = 'service' | 'tier' | 'default';

/** The policy that applies to one service, with where it came from. */
export interface EffectivePolicy extends SamplingPolicy {
  origin: SamplingPolicyOrigin;
  /** The tier whose defaults it was built on, when one was. */
  tier?: TracingTier;
  /**
   * Set when a layer above the service's own policy (an emergency override, maintenance, a
   * boost) set the strategy's or the operation rules' rates: kept traces name that layer as
   * their sampling rule.
   */
  decidedBy?: {
    strategy?: SamplingDecidingLayer;
    operations?: SamplingDecidingLayer;
  };
}

/**
 * Where sampling engines get policies. Implementations: config-backed (pipeline package), and
 * a database-backed control plane. Calls are synchronous and on the hot path: a database
 * implementation keeps a cached snapshot and refreshes it in the background.
 */
export interface SamplingPolicySource {
  /** The policy configured for a service (by name, by tier), or undefined to use the default. */
  getPolicy(serviceName: string): EffectivePolicy | undefined;
  /** The policy of services without their own. */
  getDefaultPolicy(): EffectivePolicy;
  /**
   * Changes whenever any answer of this source may have changed. Engines cache compiled
   * policies per version, so bump it on every update.
   */
  version(): number;
}
