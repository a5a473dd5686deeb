import {
  CheckMeasurement,
  CheckStatus,
} from '@internal/plugin-tracing-health-common';
import { Threshold } from '@internal/plugin-tracing-health-node';

/** Judges `value` against `threshold`; `threshold` is the one crossed, else the nearest. */
export function judge(
  value: number,
  threshold: Threshold | undefined,
): { status: CheckStatus; threshold?: number } {
  if (!threshold) return { status: 'ok' };
  const crosses = (limit: number | undefined) =>
    limit !== undefined &&
    (threshold.direction === 'above' ? value > limit : value < limit);
  if (Number.isNaN(value)) {
    return {
      status: 'unknown',
      threshold: threshold.warning ?? threshold.critical,
    };
  }
  if (crosses(threshold.critical)) {
    return { status: 'critical', threshold: threshold.critical };
  }
  if (crosses(threshold.warning)) {
    return { status: 'warning', threshold: threshold.warning };
  }
  return { status: 'ok', threshold: threshold.warning ?? threshold.critical };
}

// A known problem outranks not knowing; not knowing outranks "fine".
const SEVERITY: Record<CheckStatus, number> = {
  ok: 0,
  unknown: 1,
  warning: 2,
  critical: 3,
};

/** The measurement that decides a run's status (the first of the worst). */
export function worstMeasurement(
  measurements: CheckMeasurement[],
): CheckMeasurement | undefined {
  let worst: CheckMeasurement | undefined;
  for (const m of measurements) {
    if (!worst || SEVERITY[m.status] > SEVERITY[worst.status]) worst = m;
  }
  return worst;
}
