import { InputError } from '@backstage/errors';
import {
  MonthlyReport,
  TracedServiceInfo,
} from '@internal/plugin-tracing-health-common';
import { ServiceVolumeProvider } from '@internal/plugin-tracing-health-node';
import { CheckDefinition } from '../config/readChecksConfig';
import { CheckTransition } from '../store/CheckResultStore';

/** The UTC bounds of `YYYY-MM`; a clear 400 for anything else. */
export function monthBounds(month: string): { start: Date; end: Date } {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new InputError(`month must be YYYY-MM, got "${month}"`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return {
    start: new Date(Date.UTC(year, index, 1)),
    end: new Date(Date.UTC(year, index + 1, 1)),
  };
}

/**
 * Uptime, incidents and coverage of one month. Uptime is the share of the observed time a check
 * was not critical; an incident is a stretch of critical status, from the transition into it to
 * the transition out (clipped to the month).
 */
export function buildMonthlyReport(input: {
  month: string;
  now: Date;
  checks: CheckDefinition[];
  /** From `CheckResultStore.transitions(start, end)`: the status before, then the changes. */
  transitions: CheckTransition[];
  services: TracedServiceInfo[];
  volume?: ServiceVolumeProvider;
  silentAfterMinutes: number;
}): MonthlyReport {
  const { start, end: monthEnd } = monthBounds(input.month);
  const end = new Date(Math.min(monthEnd.getTime(), input.now.getTime()));
  const byCheck = new Map<string, CheckTransition[]>();
  for (const t of input.transitions) {
    const list = byCheck.get(t.checkId) ?? [];
    list.push(t);
    byCheck.set(t.checkId, list);
  }

  const incidents: MonthlyReport['incidents'] = [];
  const checks = input.checks.map(check => {
    const transitions = (byCheck.get(check.id) ?? []).sort(
      (a, b) => a.at.getTime() - b.at.getTime(),
    );
    let observed = 0;
    let critical = 0;
    let count = 0;
    transitions.forEach((t, i) => {
      const from = Math.max(t.at.getTime(), start.getTime());
      const next = transitions[i + 1];
      const to = Math.min(
        next ? next.at.getTime() : end.getTime(),
        end.getTime(),
      );
      if (to <= from) return;
      observed += to - from;
      if (t.to !== 'critical') return;
      critical += to - from;
      count += 1;
      incidents.push({
        checkId: check.id,
        startedAt: new Date(from).toISOString(),
        endedAt:
          next && next.at.getTime() <= end.getTime()
            ? next.at.toISOString()
            : undefined,
        durationSeconds: Math.round((to - from) / 1000),
        message: t.message,
        runbookId: t.runbookId,
      });
    });
    return {
      checkId: check.id,
      checkType: check.type,
      title: check.title,
      uptime: observed > 0 ? 1 - critical / observed : undefined,
      observedSeconds: Math.round(observed / 1000),
      incidents: count,
    };
  });

  const optedIn = input.services.filter(s => s.settings.optedIn);
  let traced: number | undefined;
  let completeness: number | undefined;
  if (input.volume) {
    const silentMs = input.silentAfterMinutes * 60_000;
    traced = optedIn.filter(s => {
      const seen = input.volume!.lastSeen(s.settings.serviceName);
      return (
        seen !== undefined && input.now.getTime() - seen.getTime() <= silentMs
      );
    }).length;
    const ratios = optedIn
      .map(s => input.volume!.completeness?.(s.settings.serviceName))
      .filter((r): r is number => r !== undefined);
    completeness = ratios.length
      ? ratios.reduce((a, b) => a + b, 0) / ratios.length
      : undefined;
  }

  return {
    month: input.month,
    generatedAt: input.now.toISOString(),
    checks,
    incidents: incidents.sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    coverage: {
      components: input.services.length,
      optedIn: optedIn.length,
      traced,
      completeness,
    },
  };
}
