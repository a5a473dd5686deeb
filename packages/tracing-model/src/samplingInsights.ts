import { z } from 'zod';
import type { SamplingPolicyPatch } from './sampling';
import type { SamplingOverride } from './samplingControl';

/*
 * What a team can see through its sampling: why traces were kept, what a change would keep
 * before it is saved, owner budgets, boosts and the spans a service's traces cause downstream.
 * Routes are in `SAMPLING_ROUTES`.
 */

/** What a policy keeps of a service's traces (per second; bytes per day). */
export interface KeptFiguresDto {
  tracesPerSecond: number;
  spansPerSecond: number;
  bytesPerDay: number;
  /** Share (0..1) of traces with an error span that are kept. */
  errorShareKept?: number;
  /** Share (0..1) of slow traces that are kept. */
  slowShareKept?: number;
  /** Share (0..1) of traces kept. */
  keptFraction: number;
  /** Standard deviation of whether one trace is kept (for error bars: / sqrt(traces)). */
  perTraceSigma: number;
}

/** `POST /policies/:serviceName/preview` */
export interface SamplingPreviewRequest {
  /** The candidate patch over the service's tier, as `PUT /policies/:serviceName` takes it. */
  policy: SamplingPolicyPatch;
}

export interface BudgetCheck {
  owner: string;
  budget: OwnerBudget;
  /** The owner's use now (all its services) and with this change. */
  usedSpansPerSecond: number;
  usedBytesPerDay: number;
  projectedSpansPerSecond: number;
  projectedBytesPerDay: number;
  exceeded: boolean;
}

export interface SamplingPreviewResponse {
  serviceName: string;
  /** Seconds of traffic the figures cover (at most the last hour). */
  windowSeconds: number;
  /** Traces rooted at the service in the window, before sampling. */
  traces: number;
  /** Traces the preview replayed the sampler's decision on. */
  sampledTraces: number;
  /** Traffic before sampling. */
  tracesPerSecond: number;
  spansPerSecond: number;
  bytesPerDay: number;
  candidate: KeptFiguresDto;
  current: KeptFiguresDto;
  /** What the sampler actually kept in the window. */
  measured: {
    tracesPerSecond: number;
    spansPerSecond: number;
    bytesPerDay: number;
  };
  /** Traces slower than this count as slow, ms. */
  slowMs: number;
  /** Present when the service's owner has a budget. */
  budget?: BudgetCheck;
}

/** `GET /policies/:serviceName/kept`: kept traces in the last hour by rule kind. */
export interface KeptTracesResponse {
  serviceName: string;
  windowSeconds: number;
  traces: number;
  keptTraces: number;
  /** Rule kind (`SAMPLING_RULE_KINDS`) → kept traces. */
  byRule: Record<string, number>;
}

/** `GET /policies/:serviceName/downstream`: spans in traces the service roots, by service. */
export interface DownstreamCostResponse {
  serviceName: string;
  windowSeconds: number;
  items: Array<{
    service: string;
    /** Spans per minute, before sampling and kept. */
    spansPerMinute: number;
    keptSpansPerMinute: number;
  }>;
}

/** An owner group's budget; at least one of the two. */
export const ownerBudgetSchema = z
  .object({
    spansPerSecond: z.number().finite().positive().max(1e9).optional(),
    bytesPerDay: z.number().finite().positive().max(1e18).optional(),
  })
  .strict()
  .refine(b => b.spansPerSecond !== undefined || b.bytesPerDay !== undefined, {
    message: 'needs spansPerSecond or bytesPerDay',
  });
export type OwnerBudget = z.infer<typeof ownerBudgetSchema>;

/** `tracingHealth.sampling.budgets`: a list of `{ owner, spansPerSecond?, bytesPerDay? }`. */
export const ownerBudgetConfigSchema = z
  .array(
    z
      .object({
        owner: z.string().min(1).max(256),
        spansPerSecond: z.number().finite().positive().max(1e9).optional(),
        bytesPerDay: z.number().finite().positive().max(1e18).optional(),
      })
      .strict()
      .refine(
        b => b.spansPerSecond !== undefined || b.bytesPerDay !== undefined,
        { message: 'needs spansPerSecond or bytesPerDay' },
      ),
  )
  .max(10_000);

/** `PUT /budgets/:owner` */
export interface SetOwnerBudgetRequest extends OwnerBudget {
  reason: string;
}

export interface OwnerBudgetUsage {
  /** A group entity ref, e.g. `group:default/payments`. */
  owner: string;
  budget?: OwnerBudget;
  /** `config` or `api` (API budgets replace config ones). */
  source?: 'config' | 'api';
  /** Kept spans/s and bytes/day of traces rooted at the owner's services (last hour). */
  usedSpansPerSecond: number;
  usedBytesPerDay: number;
  exceeded: boolean;
  services: string[];
}

/** `GET /budgets` */
export interface OwnerBudgetsResponse {
  items: OwnerBudgetUsage[];
}

/** `POST /policies/:serviceName/boost` */
export interface StartBoostRequest {
  reason: string;
  /** Default `tracingHealth.sampling.boost.defaultMinutes` (15), at most `maxMinutes` (60). */
  durationMinutes?: number;
}

/** A boost is stored as an override of its service with this action. */
export const BOOST_OVERRIDE_ACTION = 'boost' as const;

/** `GET /policies/:serviceName/boost` */
export interface BoostResponse {
  boost?: SamplingOverride;
  /** Whether the caller may start or end one (owners, admins). */
  allowed: boolean;
  defaultMinutes: number;
  maxMinutes: number;
}

export const DEFAULT_BOOST_MINUTES = 15;
export const MAX_BOOST_MINUTES = 60;

/** Owner budget metrics (the Grafana app's alert reads them). */
export const BUDGET_METRICS = {
  /** Gauge{owner}: kept spans per second of traces rooted at the owner's services (last hour). */
  usedSpansPerSecond: 'tracing_health_owner_kept_spans_per_second',
  /** Gauge{owner}: the owner's budget in spans per second. */
  budgetSpansPerSecond: 'tracing_health_owner_budget_spans_per_second',
  /** Gauge{owner}: kept bytes per day of traces rooted at the owner's services (last hour). */
  usedBytesPerDay: 'tracing_health_owner_kept_bytes_per_day',
  /** Gauge{owner}: the owner's budget in bytes per day. */
  budgetBytesPerDay: 'tracing_health_owner_budget_bytes_per_day',
} as const;
