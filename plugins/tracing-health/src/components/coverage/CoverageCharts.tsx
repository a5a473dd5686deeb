import { CoverageSeriesPoint } from '@internal/plugin-tracing-health-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { ReactElement } from 'react';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { MARKERS_UP_TO_POINTS, ratioAxisTop } from './chartWindow';
import { formatDuration, formatPercent, formatRate } from './format';

interface ChartPoint {
  t: number;
  requestsPerSecond: number;
  tracesPerSecond: number;
  spansPerSecond: number;
  errorRatio: number | null;
  p95Seconds: number | null;
}

const timeTick = (t: number) =>
  new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const timeLabel = (t: unknown) => new Date(Number(t)).toLocaleString();

function Chart(props: {
  title: string;
  testId: string;
  children: ReactElement;
}) {
  return (
    <Grid item xs={12} md={4} data-testid={props.testId}>
      <Typography variant="subtitle2">{props.title}</Typography>
      <ResponsiveContainer width="100%" height={160}>
        {props.children}
      </ResponsiveContainer>
    </Grid>
  );
}

/**
 * Traffic, errors and p95 latency over the points given (the caller passes only the steps with
 * data), one small chart each. Short series get a marker per point so a single step shows.
 */
export function CoverageCharts(props: { points: CoverageSeriesPoint[] }) {
  const theme = useTheme();
  const data: ChartPoint[] = props.points.map(p => ({
    t: Date.parse(p.time),
    requestsPerSecond: p.requestsPerSecond,
    tracesPerSecond: p.tracesPerSecond,
    spansPerSecond: p.spansPerSecond,
    errorRatio: p.errorRatio,
    p95Seconds: p.p95Seconds,
  }));
  const dot = data.length <= MARKERS_UP_TO_POINTS ? { r: 2.5 } : false;
  const startsTraces = data.some(p => p.tracesPerSecond > 0);
  const errorTop = ratioAxisTop(data.map(p => p.errorRatio));
  const xAxis = (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={['dataMin', 'dataMax']}
      tickFormatter={timeTick}
      minTickGap={40}
    />
  );
  const grid = <CartesianGrid strokeDasharray="3 3" />;
  const line = (key: keyof ChartPoint, name: string, color: string) => (
    <Line
      type="monotone"
      dataKey={key}
      name={name}
      stroke={color}
      fill={color}
      dot={dot}
      isAnimationActive={false}
    />
  );
  return (
    <Grid container spacing={2}>
      <Chart title="Traffic" testId="coverage-chart-rate">
        <LineChart data={data}>
          {grid}
          {xAxis}
          <YAxis tickFormatter={v => formatRate(Number(v))} width={64} />
          <Tooltip
            labelFormatter={timeLabel}
            formatter={v => formatRate(Number(v))}
          />
          {line('requestsPerSecond', 'requests/s', theme.palette.primary.main)}
          {line('spansPerSecond', 'spans/s', theme.palette.secondary.main)}
          {startsTraces &&
            line(
              'tracesPerSecond',
              'traces started/s',
              theme.palette.success.main,
            )}
        </LineChart>
      </Chart>
      <Chart title="Errors" testId="coverage-chart-errors">
        <AreaChart data={data}>
          {grid}
          {xAxis}
          <YAxis
            domain={[0, errorTop]}
            allowDataOverflow
            tickFormatter={v => formatPercent(Number(v))}
            width={64}
          />
          <Tooltip
            labelFormatter={timeLabel}
            formatter={v => formatPercent(Number(v))}
          />
          <Area
            type="monotone"
            dataKey="errorRatio"
            name="error spans"
            stroke={theme.palette.error.main}
            fill={theme.palette.error.light}
            dot={dot}
            isAnimationActive={false}
          />
        </AreaChart>
      </Chart>
      <Chart title="p95 latency" testId="coverage-chart-p95">
        <LineChart data={data}>
          {grid}
          {xAxis}
          <YAxis
            domain={[0, 'auto']}
            tickFormatter={v => formatDuration(Number(v))}
            width={64}
          />
          <Tooltip
            labelFormatter={timeLabel}
            formatter={v => formatDuration(Number(v))}
          />
          {line('p95Seconds', 'p95', theme.palette.warning.main)}
        </LineChart>
      </Chart>
    </Grid>
  );
}
