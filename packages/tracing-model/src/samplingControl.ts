import { TracingTier } from './tiers';
import {
  SamplingPolicy,
  SamplingPolicyOrigin,
  SamplingPolicyPatch,
  SamplingValidationError,
} from './sampling';

/*
 * The REST contract of the sampling control plane (routes under `/api/tracing-health`):
 * what the backend answers and what the frontend sends.
 */

/**
 * The control plane's routes under `/api/tracing-health`, as express patterns. Only the Jaeger
 * strategy (and its alias) is served without credentials; Backstage matches an unauthenticated
 * auth policy as a path prefix (path-to-regexp with `end: false`, case-insensitive), so no other
 * route may live under `/sampling/` or `/api/sampling/`.
 */
export const SAMPLING_ROUTES = {
  /** `GET ?service=NAME`: Jaeger remote sampling for SDKs, unauthenticated. */
  jaegerStrategy: '/sampling',
  /** The `/api/sampling` style alias of `jaegerStrategy`, unauthenticated. */
  jaegerStrategyAlias: '/api/sampling',
  policies: '/policies',
  policy: '/policies/:serviceName',
  policyHistory: '/policies/:serviceName/history',
  history: '/sampling-history',
  overrides: '/overrides',
  override: '/overrides/:id',
  maintenance: '/maintenance',
  /** `POST`: what a candidate policy would keep (issue 16). */
  policyPreview: '/policies/:serviceName/preview',
  /** `GET`: kept traces of the last hour by rule. */
  keptTraces: '/policies/:serviceName/kept',
  /** `GET`: spans in traces the service roots, by service. */
  downstreamCost: '/policies/:serviceName/downstream',
  /** `GET` (state), `POST` (start), `DELETE` (end): keep 100% for a bounded time. */
  boost: '/policies/:serviceName/boost',
  /** `GET`: every owner's use against its budget. */
  budgets: '/budgets',
  /** `PUT`/`DELETE` (admins): an owner group's budget. */
  budget: '/budgets/:owner',
} as const;
export type SamplingRoute =
  (typeof SAMPLING_ROUTES)[keyof typeof SAMPLING_ROUTES];

/** The paths served without credentials (each registered as an unauthenticated auth policy). */
export const SAMPLING_UNAUTHENTICATED_PATHS: readonly string[] = [
  SAMPLING_ROUTES.jaegerStrategy,
  SAMPLING_ROUTES.jaegerStrategyAlias,
];

/** A route with its `:params` filled in, URI-encoded: `samplingPath(SAMPLING_ROUTES.policy, { serviceName })`. */
export function samplingPath(
  route: SamplingRoute,
  params: Record<string, string> = {},
): string {
  return route.replace(/:(\w+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) {
      throw new Error(`samplingPath: no value for :${name} of ${route}`);
    }
    return encodeURIComponent(value);
  });
}

/** Where one field of an effective policy came from, lowest layer first. */
export const SAMPLING_POLICY_LAYERS = [
  'default',
  'tier',
  'service',
  'boost',
  'override',
  'maintenance',
] as const;
export type SamplingPolicyLayer = (typeof SAMPLING_POLICY_LAYERS)[number];

/** The fields of a policy whose source is reported. */
export const SAMPLING_POLICY_FIELDS = [
  'strategy',
  'operations',
  'alwaysKeep.keepErrors',
  'alwaysKeep.keepSlowerThanMs',
  'samplingLocation',
] as const;
export type SamplingPolicyField = (typeof SAMPLING_POLICY_FIELDS)[number];

export type SamplingPolicySources = Record<
  SamplingPolicyField,
  SamplingPolicyLayer
>;

/** `'global'` or an OTel `service.name`. */
export type SamplingOverrideScope = string;
export const GLOBAL_OVERRIDE_SCOPE = 'global';

export const SAMPLING_OVERRIDE_ACTIONS = ['cap-rate', 'disable'] as const;
export type SamplingOverrideAction = (typeof SAMPLING_OVERRIDE_ACTIONS)[number];

/** An emergency override: active from `createdAt` until `expiresAt` or until deleted. */
export interface SamplingOverride {
  id: string;
  scope: SamplingOverrideScope;
  /** `boost` rows are boosts of one service (see `BoostResponse`), never admin overrides. */
  action: SamplingOverrideAction | 'boost';
  /** For `cap-rate`: no probability of the policy exceeds this. */
  maxRate?: number;
  reason: string;
  createdBy: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Maintenance mode: every service's rates are multiplied by `factor` and capped at `maxRate`. */
export interface SamplingMaintenance {
  factor?: number;
  maxRate?: number;
  reason: string;
  startedBy: string;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** `GET /policies/:serviceName` */
export interface EffectiveSamplingPolicyResponse {
  serviceName: string;
  /** The catalog component that emits this `service.name`, when one does. */
  entityRef?: string;
  /**
   * Set when more than one component claims this `service.name` (every one of them, sorted):
   * who owns the policy is unknown, so changing it is refused (409) until only one claims it.
   */
  conflictingEntities?: string[];
  tier?: TracingTier;
  origin: SamplingPolicyOrigin;
  /** The policy in force now (overrides and maintenance applied). */
  policy: SamplingPolicy;
  /** The layer each field of `policy` came from. */
  sources: SamplingPolicySources;
  /** The policy before emergency overrides and maintenance. */
  basePolicy: SamplingPolicy;
  /** What the service's owners stored (a patch over its tier), if anything. */
  storedPolicy?: {
    policy: SamplingPolicyPatch;
    updatedBy: string;
    updatedAt: string;
  };
  /** The rate the adaptive sampler currently applies, when the strategy is adaptive and known. */
  adaptiveRate?: number;
  overrides: SamplingOverride[];
  maintenance?: SamplingMaintenance;
  /** An active boost of this service (100% until it expires). */
  boost?: SamplingOverride;
  /** What `GET /sampling?service=` serves this service's SDKs. */
  sdkStrategy: JaegerSamplingStrategyResponse;
}

/** `PUT /policies/:serviceName` */
export interface UpdateSamplingPolicyRequest {
  /** A patch over the service's tier defaults; replaces what was stored. */
  policy: SamplingPolicyPatch;
  reason: string;
}

/** `DELETE /policies/:serviceName` (body or `?reason=`) */
export interface ResetSamplingPolicyRequest {
  reason: string;
}

export const SAMPLING_HISTORY_ACTIONS = [
  'policy-update',
  'policy-reset',
  'override-create',
  'override-delete',
  'override-expire',
  'maintenance-enter',
  'maintenance-exit',
  'maintenance-expire',
  'boost-start',
  'boost-end',
  'boost-expire',
  'budget-set',
  'budget-delete',
] as const;
export type SamplingHistoryAction = (typeof SAMPLING_HISTORY_ACTIONS)[number];

/** One change to the control plane. `before`/`after` are the stored records (null: none). */
export interface SamplingHistoryEntry {
  id: number;
  /** ISO 8601. */
  at: string;
  /** A user entity ref, or `system` for automatic expiry. */
  actor: string;
  action: SamplingHistoryAction;
  scope: SamplingOverrideScope;
  before: unknown;
  after: unknown;
  reason: string;
}

export interface SamplingHistoryResponse {
  items: SamplingHistoryEntry[];
}

/** `POST /overrides` */
export interface CreateSamplingOverrideRequest {
  scope: SamplingOverrideScope;
  action: SamplingOverrideAction;
  maxRate?: number;
  reason: string;
  expiresInMinutes: number;
}

export interface SamplingOverridesResponse {
  items: SamplingOverride[];
}

/** `POST /maintenance`: at least one of `factor` and `maxRate`. */
export interface EnterSamplingMaintenanceRequest {
  factor?: number;
  maxRate?: number;
  reason: string;
  expiresInMinutes: number;
}

/** `GET /maintenance` */
export interface SamplingMaintenanceResponse {
  maintenance?: SamplingMaintenance;
}

/** `DELETE /overrides/:id` and `DELETE /maintenance` (body or `?reason=`) */
export interface EndEmergencyRequest {
  reason: string;
}

/** A 400 answer: every problem with the request body, by path (`policy.strategy.rate`). */
export interface SamplingValidationErrorResponse {
  error: { name: 'InputError'; message: string };
  errors: SamplingValidationError[];
}

/** The Jaeger api_v2 remote-sampling answer (`GET /sampling?service=NAME`). */
export interface JaegerSamplingStrategyResponse {
  strategyType: 'PROBABILISTIC' | 'RATE_LIMITING';
  probabilisticSampling: { samplingRate: number };
  rateLimitingSampling?: { maxTracesPerSecond: number };
  operationSampling?: {
    defaultSamplingProbability: number;
    defaultLowerBoundTracesPerSecond: number;
    perOperationStrategies: Array<{
      operation: string;
      probabilisticSampling: { samplingRate: number };
    }>;
  };
}

/** The longest an emergency override or maintenance window may last, unless configured. */
export const DEFAULT_MAX_EMERGENCY_MINUTES = 24 * 60;
