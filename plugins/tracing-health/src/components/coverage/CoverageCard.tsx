import { InfoCard, Link } from '@backstage/core-components';
import {
  EntityCoverageResponse,
  runbookPath,
} from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  CHART_WINDOWS_HOURS,
  ChartWindowHours,
  firstDataIndex,
  pointsWithData,
} from './chartWindow';
import { CoverageCharts } from './CoverageCharts';
import {
  COVERAGE_STATE_DESCRIPTIONS,
  CoverageStateBadge,
} from './CoverageStateBadge';
import { formatAgo, formatDuration, formatPercent, formatRate } from './format';

function Figure(props: { label: string; value: string; hint?: string }) {
  return (
    <Grid item xs={6} sm={4} md={3} lg>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography
        variant="h6"
        component="div"
        title={props.hint}
        data-testid={`coverage-figure-${props.label}`}
      >
        {props.value}
      </Typography>
    </Grid>
  );
}

const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** What the charts cover: the window, or since when data exists when it starts inside it. */
function chartCaption(
  series: EntityCoverageResponse['series'],
  hours: number,
): string {
  const first = firstDataIndex(series.points);
  if (first < 0)
    return `No spans in the last ${hours === 1 ? 'hour' : `${hours} hours`}`;
  if (first === 0) return `Last ${hours === 1 ? 'hour' : `${hours} hours`}`;
  return `Collecting since ${clock(series.points[first].time)}`;
}

/** One entity's coverage: state, RED and completeness figures, and charts of the series. */
export function CoverageCard(props: {
  response: EntityCoverageResponse;
  now?: number;
  /** The chart window shown, and how to pick another (no picker without it). */
  hours?: ChartWindowHours;
  onHoursChange?: (hours: ChartWindowHours) => void;
}) {
  const { coverage, series, windowMinutes, silentAfterMinutes } =
    props.response;
  const f = coverage.figures;
  const hours =
    props.hours ??
    Math.round((Date.parse(series.to) - Date.parse(series.from)) / 3_600_000);
  const points = pointsWithData(series.points);
  return (
    <InfoCard
      title="Trace coverage"
      subheader={`service.name ${coverage.serviceName} · figures over the last ${windowMinutes} min`}
      action={<CoverageStateBadge state={coverage.state} />}
    >
      <Typography variant="body2" paragraph>
        {COVERAGE_STATE_DESCRIPTIONS[coverage.state]}
        {coverage.state === 'silent' && (
          <>
            {' '}
            for more than {silentAfterMinutes} minutes.{' '}
            <Link to={runbookPath('service-silent', coverage.serviceName)}>
              What to check
            </Link>
          </>
        )}
        {coverage.state === 'traced' && !coverage.optedIn && (
          <> — this component has not opted in yet.</>
        )}
      </Typography>
      <Grid container spacing={2}>
        <Figure
          label="Requests/s"
          value={formatRate(f.requestsPerSecond)}
          hint="Requests and messages received per second (server and consumer spans)"
        />
        {f.tracesPerSecond > 0 && (
          <Figure
            label="Traces started/s"
            value={formatRate(f.tracesPerSecond)}
            hint="Root spans per second: traces this service started"
          />
        )}
        <Figure label="Spans/s" value={formatRate(f.spansPerSecond)} />
        <Figure
          label="Errors"
          value={formatPercent(f.errorRatio)}
          hint="Share of spans with status ERROR"
        />
        <Figure
          label="p95"
          value={formatDuration(f.p95Seconds)}
          hint="95th percentile span duration"
        />
        <Figure
          label="Completeness"
          value={formatPercent(f.completeness)}
          hint={`${f.judgedTraces} traces judged, ${f.orphanSpans} spans whose parent never arrived`}
        />
        <Figure
          label="Sampling"
          value={formatPercent(coverage.effectiveSamplingRate)}
          hint="Effective sampling rate: share of this service's traces kept"
        />
        <Figure
          label="Last seen"
          value={formatAgo(coverage.lastSeen, props.now)}
          hint={
            coverage.lastSeen
              ? new Date(coverage.lastSeen).toLocaleString()
              : undefined
          }
        />
      </Grid>
      <Box
        mt={3}
        display="flex"
        alignItems="center"
        justifyContent="space-between"
      >
        <Typography variant="overline" data-testid="coverage-chart-caption">
          {chartCaption(series, hours)}
        </Typography>
        {props.onHoursChange && (
          <ToggleButtonGroup
            size="small"
            exclusive
            value={hours}
            aria-label="Chart window"
            onChange={(_, value) => value && props.onHoursChange?.(value)}
          >
            {CHART_WINDOWS_HOURS.map(h => (
              <ToggleButton key={h} value={h} aria-label={`${h} h`}>
                {h} h
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        )}
      </Box>
      {points.length > 0 && <CoverageCharts points={points} />}
    </InfoCard>
  );
}
