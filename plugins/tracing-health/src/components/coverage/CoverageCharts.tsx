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
import { formatDuration, formatPercent, formatRate } from './format';

interface ChartPoint {
  t: number;
  tracesPerSecond: number;
  spansPerSecond: number;
  errorRatio: number | null;
  p95Seconds: number | null;
}

const timeTick = (t: number) =>
  new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const timeLabel = (t: unknown) => new Date(Number(t)).toLocaleString();

function Chart(props: { title: string; testId: string; children: ReactElement }) {
  return (
    <Grid item xs={12} md={4} data-testid={props.testId}>
      <Typography variant="subtitle2">{props.title}</Typography>
      <ResponsiveContainer width="100%" height={160}>
        {props.children}
      </ResponsiveContainer>
    </Grid>
  );
}

/** Rate, errors and p95 latency over the series, one small chart each. */
export function CoverageCharts(props: { points: CoverageSeriesPoint[] }) {
  const theme = useTheme();
  const data: ChartPoint[] = props.points.map(p => ({
    t: Date.parse(p.time),
    tracesPerSecond: p.tracesPerSecond,
    spansPerSecond: p.spansPerSecond,
    errorRatio: p.errorRatio,
    p95Seconds: p.p95Seconds,
  }));
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
  return (
    <Grid container spacing={2}>
      <Chart title="Rate" testId="coverage-chart-rate">
        <LineChart data={data}>
          {grid}
          {xAxis}
          <YAxis tickFormatter={v => formatRate(Number(v))} width={64} />
          <Tooltip labelFormatter={timeLabel} formatter={v => formatRate(Number(v))} />
          <Line
            type="monotone"
            dataKey="tracesPerSecond"
            name="traces/s"
            stroke={theme.palette.primary.main}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="spansPerSecond"
            name="spans/s"
            stroke={theme.palette.secondary.main}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </Chart>
      <Chart title="Errors" testId="coverage-chart-errors">
        <AreaChart data={data}>
          {grid}
          {xAxis}
          <YAxis tickFormatter={v => formatPercent(Number(v))} width={64} />
          <Tooltip labelFormatter={timeLabel} formatter={v => formatPercent(Number(v))} />
          <Area
            type="monotone"
            dataKey="errorRatio"
            name="error spans"
            stroke={theme.palette.error.main}
            fill={theme.palette.error.light}
            isAnimationActive={false}
          />
        </AreaChart>
      </Chart>
      <Chart title="p95 latency" testId="coverage-chart-p95">
        <LineChart data={data}>
          {grid}
          {xAxis}
          <YAxis tickFormatter={v => formatDuration(Number(v))} width={64} />
          <Tooltip labelFormatter={timeLabel} formatter={v => formatDuration(Number(v))} />
          <Line
            type="monotone"
            dataKey="p95Seconds"
            name="p95"
            stroke={theme.palette.warning.main}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </Chart>
    </Grid>
  );
}
