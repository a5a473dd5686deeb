import { TracingTier } from './annotations';
import {
  SamplingPolicy,
  SamplingPolicyOrigin,
  SamplingPolicyPatch,
  SamplingValidationError,
} from './sampling';

/*
 * The REST contract of the sampling control plane (`/api/tracing-health/sampling/...`):
 * what the backend answers and what the frontend sends.
 */

/** Where one field of an effective policy came from, lowest layer first. */
export const SAMPLING_POLICY_LAYERS = [
  'default',
  'tier',
  'service',
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
  action: SamplingOverrideAction;
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

/** `GET /sampling/policies/:serviceName` */
export interface EffectiveSamplingPolicyResponse {
  serviceName: string;
  /** The catalog component that emits this `service.name`, when one does. */
  entityRef?: string;
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
  /** What `GET /sampling?service=` serves this service's SDKs. */
  sdkStrategy: JaegerSamplingStrategyResponse;
}

/** `PUT /sampling/policies/:serviceName` */
export interface UpdateSamplingPolicyRequest {
  /** A patch over the service's tier defaults; replaces what was stored. */
  policy: SamplingPolicyPatch;
  reason: string;
}

/** `DELETE /sampling/policies/:serviceName` (body or `?reason=`) */
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

/** `POST /sampling/overrides` */
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

/** `POST /sampling/maintenance`: at least one of `factor` and `maxRate`. */
export interface EnterSamplingMaintenanceRequest {
  factor?: number;
  maxRate?: number;
  reason: string;
  expiresInMinutes: number;
}

/** `GET /sampling/maintenance` */
export interface SamplingMaintenanceResponse {
  maintenance?: SamplingMaintenance;
}

/** `DELETE /sampling/overrides/:id` and `DELETE /sampling/maintenance` (body or `?reason=`) */
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
