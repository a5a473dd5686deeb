import { CheckHistoryPoint } from '@internal/plugin-tracing-health-common';
import { STATUS_COLOR } from './CheckStatusIcon';

const BAR = 4;
const GAP = 1;
const HEIGHT = 16;

/** The last runs of a check as a strip of status-coloured bars, oldest on the left. */
export function CheckHistorySparkline(props: { points: CheckHistoryPoint[] }) {
  const { points } = props;
  if (points.length === 0) return <span>—</span>;
  const counts = points.reduce<Record<string, number>>((acc, p) => {
    acc[p.status] = (acc[p.status] ?? 0) + 1;
    return acc;
  }, {});
  const summary = Object.entries(counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return (
    <svg
      width={points.length * (BAR + GAP)}
      height={HEIGHT}
      role="img"
      aria-label={`last ${points.length} runs: ${summary}`}
      data-testid="check-sparkline"
    >
      {points.map((p, i) => (
        <rect
          key={p.startedAt + i}
          x={i * (BAR + GAP)}
          y={p.status === 'ok' ? HEIGHT / 2 : 0}
          width={BAR}
          height={p.status === 'ok' ? HEIGHT / 2 : HEIGHT}
          fill={STATUS_COLOR[p.status]}
          data-status={p.status}
        >
          <title>{`${p.startedAt}: ${p.status}${
            p.value !== undefined ? ` (${p.value})` : ''
          }`}</title>
        </rect>
      ))}
    </svg>
  );
}
