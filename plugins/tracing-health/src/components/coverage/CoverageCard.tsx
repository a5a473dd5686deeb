import { InfoCard, Link } from '@backstage/core-components';
import {
  EntityCoverageResponse,
  runbookPath,
} from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { CoverageCharts } from './CoverageCharts';
import { COVERAGE_STATE_DESCRIPTIONS, CoverageStateBadge } from './CoverageStateBadge';
import { formatAgo, formatDuration, formatPercent, formatRate } from './format';

function Figure(props: { label: string; value: string; hint?: string }) {
  return (
    <Grid item xs={6} sm={4} md={3} lg>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="h6" component="div" title={props.hint} data-testid={`coverage-figure-${props.label}`}>
        {props.value}
      </Typography>
    </Grid>
  );
}

/** One entity's coverage: state, RED and completeness figures, and charts of the series. */
export function CoverageCard(props: { response: EntityCoverageResponse; now?: number }) {
  const { coverage, series, windowMinutes, silentAfterMinutes } = props.response;
  const f = coverage.figures;
  const hours = Math.round(
    (Date.parse(series.to) - Date.parse(series.from)) / 3_600_000,
  );
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
        <Figure label="Traces/s" value={formatRate(f.tracesPerSecond)} hint="Root spans per second: traces this service started" />
        <Figure label="Spans/s" value={formatRate(f.spansPerSecond)} />
        <Figure label="Errors" value={formatPercent(f.errorRatio)} hint="Share of spans with status ERROR" />
        <Figure label="p95" value={formatDuration(f.p95Seconds)} hint="95th percentile span duration" />
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
          hint={coverage.lastSeen ? new Date(coverage.lastSeen).toLocaleString() : undefined}
        />
      </Grid>
      <Box mt={3}>
        <Typography variant="overline">Last {hours} hours</Typography>
        <CoverageCharts points={series.points} />
      </Box>
    </InfoCard>
  );
}
