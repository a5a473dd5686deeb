import {
  discoveryApiRef,
  fetchApiRef,
  useApiHolder,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  BoostResponse,
  DownstreamCostResponse,
  KeptTracesResponse,
  OwnerBudgetsResponse,
  SamplingOverride,
  SamplingPolicyPatch,
  SamplingPreviewResponse,
} from '@internal/plugin-tracing-health-common';
import { useMemo } from 'react';
import {
  DefaultApiClient,
  TypedResponse,
} from '../../schema/openapi/generated';

/**
 * The sampling-insight routes (issue 16), through the client generated from the backend's
 * `openapi.yaml` with the app's discovery and fetch APIs.
 */
export interface SamplingInsightsRequests {
  preview(
    serviceName: string,
    policy: SamplingPolicyPatch,
  ): Promise<SamplingPreviewResponse>;
  kept(serviceName: string): Promise<KeptTracesResponse>;
  downstream(serviceName: string): Promise<DownstreamCostResponse>;
  boost(serviceName: string): Promise<BoostResponse>;
  startBoost(
    serviceName: string,
    reason: string,
    durationMinutes?: number,
  ): Promise<SamplingOverride>;
  endBoost(serviceName: string, reason: string): Promise<void>;
  budgets(): Promise<OwnerBudgetsResponse>;
}

/** The requests, or undefined when the app provides no discovery or fetch API (some tests). */
export function useSamplingInsights(): SamplingInsightsRequests | undefined {
  const holder = useApiHolder();
  const optional = <T>(get: () => T | undefined) => {
    try {
      return get();
    } catch {
      return undefined; // e.g. discovery without backend.baseUrl in tests
    }
  };
  const discoveryApi = optional(() => holder.get(discoveryApiRef));
  const fetchApi = optional(() => holder.get(fetchApiRef));
  return useMemo(() => {
    if (!discoveryApi || !fetchApi) return undefined;
    const api = new DefaultApiClient({ discoveryApi, fetchApi });
    const read = async <T>(pending: Promise<TypedResponse<T>>): Promise<T> => {
      const response = await pending;
      if (!response.ok)
        throw await ResponseError.fromResponse(response as Response);
      return response.json();
    };
    const path = (serviceName: string) => ({ path: { serviceName } });
    return {
      preview: (serviceName, policy) =>
        read(api.previewPolicy({ ...path(serviceName), body: { policy } })),
      kept: serviceName => read(api.getKeptTraces(path(serviceName))),
      downstream: serviceName => read(api.getDownstreamCost(path(serviceName))),
      boost: serviceName => read(api.getBoost(path(serviceName))),
      startBoost: (serviceName, reason, durationMinutes) =>
        read(
          api.startBoost({
            ...path(serviceName),
            body: { reason, durationMinutes },
          }),
        ),
      endBoost: async (serviceName, reason) => {
        await read(api.endBoost({ ...path(serviceName), body: { reason } }));
      },
      budgets: () => read(api.listBudgets()),
    };
  }, [discoveryApi, fetchApi]) as SamplingInsightsRequests | undefined;
}

/** `1180` → `1,180`; fractions to 2 significant digits. */
export function formatCount(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return (+n.toPrecision(2)).toLocaleString('en-US');
}

/** `2.5e9` → `2.5 GB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${+n.toPrecision(3)} ${units[i]}`;
}

const RULE_WORDS: Record<string, string> = {
  error: 'for errors',
  slow: 'slow',
  rate: 'by rate',
  operation: 'by operation rules',
  'rate-limit': 'by rate limit',
  sdk: 'by the SDK',
  override: 'by an override',
  maintenance: 'in maintenance',
  boost: 'by a boost',
  policy: 'by tail policies',
};

/** "312 kept for errors, 40 slow, 1,180 by rate" (rules in a fixed order). */
export function describeKept(byRule: Record<string, number>): string {
  const order = Object.keys(RULE_WORDS);
  const rank = (rule: string) =>
    order.indexOf(rule) === -1 ? order.length : order.indexOf(rule);
  const parts = Object.entries(byRule)
    .filter(([, n]) => n > 0)
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([rule, n]) => `${formatCount(n)} ${RULE_WORDS[rule] ?? rule}`);
  if (parts.length === 0) return 'no trace kept';
  return `${parts[0].replace(/^([\d,.]+) /, '$1 kept ')}${
    parts.length > 1 ? `, ${parts.slice(1).join(', ')}` : ''
  }`;
}

/** A window length: `the last hour`, `the last 12 min`, `the last 8 s`. */
export function describeWindow(seconds: number): string {
  if (seconds >= 3540) return 'the last hour';
  if (seconds >= 120) return `the last ${Math.round(seconds / 60)} min`;
  return `the last ${Math.max(1, Math.round(seconds))} s`;
}
