import {
  SamplingHistoryAction,
  SamplingPolicyLayer,
} from '@internal/plugin-tracing-health-common';

/** `0.1` → `10%`, `0.00125` → `0.125%`. */
export function formatRate(rate: number): string {
  return `${+(rate * 100).toPrecision(4)}%`;
}

export const SOURCE_LABELS: Record<SamplingPolicyLayer, string> = {
  default: 'default',
  tier: 'tier',
  service: 'service policy',
  boost: 'boost (100%)',
  override: 'emergency override',
  maintenance: 'maintenance',
};

export const ACTION_LABELS: Record<SamplingHistoryAction, string> = {
  'policy-update': 'Policy changed',
  'policy-reset': 'Reset to tier',
  'override-create': 'Override started',
  'override-delete': 'Override ended',
  'override-expire': 'Override expired',
  'maintenance-enter': 'Maintenance started',
  'maintenance-exit': 'Maintenance ended',
  'maintenance-expire': 'Maintenance expired',
  'boost-start': 'Boost started',
  'boost-end': 'Boost ended',
  'boost-expire': 'Boost expired',
  'budget-set': 'Budget set',
  'budget-delete': 'Budget removed',
};

/** `3725000` → `1h 02m 05s`; at or below zero → `expired`. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** A one-line description of an audit record's `before`/`after`, for the history tables. */
export function describeRecord(record: unknown): string {
  if (record === null || record === undefined) return '—';
  const r = record as Record<string, any>;
  if (r.policy) return JSON.stringify(r.policy);
  if (r.action === 'boost') return `boost to 100% (${r.scope})`;
  if (r.action === 'cap-rate')
    return `cap at ${formatRate(r.maxRate)} (${r.scope})`;
  if (r.action === 'disable') return `disable tracing (${r.scope})`;
  if (r.startedAt) {
    const parts = [];
    if (r.factor !== undefined) parts.push(`rates × ${r.factor}`);
    if (r.maxRate !== undefined) parts.push(`at most ${formatRate(r.maxRate)}`);
    return `maintenance: ${parts.join(', ')}`;
  }
  return JSON.stringify(record);
}
