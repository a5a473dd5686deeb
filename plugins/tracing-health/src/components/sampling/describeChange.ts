import {
  describeStrategy,
  SamplingHistoryEntry,
  SamplingPolicyPatch,
  SamplingStrategy,
} from '@internal/plugin-tracing-health-common';
import { describeRecord, formatRate } from './format';

/** Lines kept per change: a hostile or huge record must not flood the history table. */
const MAX_LINES = 6;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The policy of a stored-policy history record (`{ serviceName, policy, ... }`), if it is one. */
function policyOf(record: unknown): SamplingPolicyPatch | undefined {
  return isObject(record) && isObject(record.policy)
    ? (record.policy as SamplingPolicyPatch)
    : undefined;
}

const num = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const pct = (v: unknown) => {
  const n = num(v);
  return n === undefined ? '?' : formatRate(n);
};
const perSecond = (v: unknown) => {
  const n = num(v);
  return n === undefined ? '?' : `${+n.toPrecision(6)}/s`;
};

function strategyText(s: SamplingStrategy | undefined): string {
  if (!s) return 'tier default';
  try {
    return describeStrategy(s);
  } catch {
    return 'unknown';
  }
}

/** One line per strategy field that differs, e.g. `rate 100% → 25%`. */
function strategyChanges(
  before: SamplingStrategy | undefined,
  after: SamplingStrategy | undefined,
): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (!before && after?.type === 'probabilistic')
    return [`rate tier default → ${pct(after.rate)}`];
  if (before?.type === 'probabilistic' && !after)
    return [`rate ${pct(before.rate)} → tier default`];
  if (!before || !after || before.type !== after.type) {
    return [`strategy ${strategyText(before)} → ${strategyText(after)}`];
  }
  const fields: Array<[string, unknown, unknown, (v: unknown) => string]> = [];
  const b = before as Json;
  const a = after as Json;
  if (after.type === 'probabilistic')
    fields.push(['rate', b.rate, a.rate, pct]);
  if (after.type === 'adaptive') {
    fields.push(
      ['target', b.targetTracesPerSecond, a.targetTracesPerSecond, perSecond],
      ['min rate', b.minRate, a.minRate, pct],
      ['max rate', b.maxRate, a.maxRate, pct],
    );
  }
  if (after.type === 'rate-limiting')
    fields.push(['limit', b.tracesPerSecond, a.tracesPerSecond, perSecond]);
  return fields
    .filter(([, x, y]) => x !== y)
    .map(([name, x, y, f]) => `${name} ${f(x)} → ${f(y)}`);
}

const rules = (n: number) => `${n} operation rule${n === 1 ? '' : 's'}`;

function operationChanges(
  before: SamplingPolicyPatch['operations'],
  after: SamplingPolicyPatch['operations'],
): string[] {
  if (JSON.stringify(before ?? null) === JSON.stringify(after ?? null))
    return [];
  const count = (o: unknown) =>
    Array.isArray(o) ? rules(o.length) : 'inherited rules';
  const from = count(before);
  const to = count(after);
  return [from === to ? `${to} changed` : `${from} → ${to}`];
}

function keepSlowerText(v: unknown): string {
  if (v === undefined) return 'default';
  const n = num(v);
  return n === undefined ? 'off' : `${+n.toPrecision(6)} ms`;
}

function alwaysKeepChanges(
  before: SamplingPolicyPatch['alwaysKeep'],
  after: SamplingPolicyPatch['alwaysKeep'],
): string[] {
  const out: string[] = [];
  const b = (before ?? {}) as Json;
  const a = (after ?? {}) as Json;
  if (b.keepErrors !== a.keepErrors) {
    const text = (v: unknown) => {
      if (v === undefined) return 'default';
      return v ? 'yes' : 'no';
    };
    out.push(`keep errors ${text(b.keepErrors)} → ${text(a.keepErrors)}`);
  }
  if (b.keepSlowerThanMs !== a.keepSlowerThanMs) {
    out.push(
      `keep slower than ${keepSlowerText(
        b.keepSlowerThanMs,
      )} → ${keepSlowerText(a.keepSlowerThanMs)}`,
    );
  }
  return out;
}

/** What changed between two policies, field by field in words. */
export function describePolicyChanges(
  before: SamplingPolicyPatch | undefined,
  after: SamplingPolicyPatch | undefined,
): string[] {
  const lines = [
    ...strategyChanges(before?.strategy, after?.strategy),
    ...operationChanges(before?.operations, after?.operations),
    ...alwaysKeepChanges(before?.alwaysKeep, after?.alwaysKeep),
  ];
  const where = (v: unknown) => (typeof v === 'string' ? v : 'default');
  if (before?.samplingLocation !== after?.samplingLocation) {
    lines.push(
      `sampled in ${where(before?.samplingLocation)} → ${where(
        after?.samplingLocation,
      )}`,
    );
  }
  return lines;
}

/**
 * A history entry's change as short lines in words: for policies, each changed field
 * (`rate 100% → 25%`); for overrides and maintenance, what was in force before and after.
 */
export function describeChange(
  entry: Pick<SamplingHistoryEntry, 'before' | 'after'>,
): string[] {
  const before = policyOf(entry.before);
  const after = policyOf(entry.after);
  let lines: string[];
  if (before || after) {
    // A missing side is no stored policy: every field inherited from the tier, as a field a
    // stored patch leaves out is.
    lines = describePolicyChanges(before ?? {}, after ?? {});
    if (lines.length === 0) lines = ['no change'];
  } else {
    lines = [
      `${describeRecord(entry.before)} → ${describeRecord(entry.after)}`,
    ];
  }
  if (lines.length > MAX_LINES) {
    lines = [
      ...lines.slice(0, MAX_LINES - 1),
      `and ${lines.length - MAX_LINES + 1} more`,
    ];
  }
  return lines.map(l => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
}
