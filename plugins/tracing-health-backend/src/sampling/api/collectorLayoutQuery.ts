import { InputError } from '@backstage/errors';
import { CollectorLayout } from '../AppliedPolicyService';
import {
  gatewayResolverFromQuery,
  TWO_TIER_TIERS,
  TwoTierTier,
} from '../collector/renderTwoTierCollectorConfig';

/**
 * The layout of `/collector-config`: `processors` (default), or `?layout=two-tier` (agents with
 * the loadbalancing exporter, gateways with tail_sampling) with its resolver and optional `tier`.
 * Throws InputError naming the bad parameter.
 */
export function collectorLayoutFromQuery(
  query: Record<string, unknown>,
): CollectorLayout {
  const layout = query.layout ?? 'processors';
  if (layout !== 'processors' && layout !== 'two-tier')
    throw new InputError('layout must be processors or two-tier');
  const tier = query.tier;
  if (
    tier !== undefined &&
    (layout !== 'two-tier' || !TWO_TIER_TIERS.includes(tier as TwoTierTier))
  )
    throw new InputError('tier must be agent or gateway, with layout=two-tier');
  if (layout === 'processors') return { layout };
  return {
    layout,
    resolver: gatewayResolverFromQuery(query),
    tier: tier as TwoTierTier | undefined,
  };
}
