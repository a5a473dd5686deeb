import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import WarningIcon from '@material-ui/icons/Warning';
import Typography from '@material-ui/core/Typography';
import {
  COVERAGE_STATES,
  EntityCoverage,
  trafficPerSecond,
} from '@internal/plugin-tracing-health-common';
import { CoverageStateBadge } from '../coverage/CoverageStateBadge';
import {
  formatAgo,
  formatDuration,
  formatPercent,
  formatTraffic,
} from '../coverage/format';

// Sorting uses the raw values; missing figures sort as -1 so they gather at one end.
// No cell or header wraps: names such as fraud-detection never break at their hyphen, and the
// columns are few and narrow enough to fit a 1400 px window without scrolling (spans/s is on
// the entity page: requests are what owners read here).
const NO_WRAP = {
  whiteSpace: 'nowrap',
  paddingLeft: 8,
  paddingRight: 8,
} as const;
const NUMBER_CELL = NO_WRAP;
const orMinus = (v: number | undefined) => v ?? -1;

const columns: TableColumn<EntityCoverage>[] = [
  {
    // service.name sits under the component when it differs (it is searchable there too).
    title: 'Component',
    field: 'name',
    highlight: true,
    cellStyle: NO_WRAP,
    headerStyle: NO_WRAP,
    render: row => (
      <>
        <EntityRefLink
          entityRef={row.entityRef}
          title={row.title ?? row.name}
        />
        <ServiceNameCell row={row} />
      </>
    ),
    customFilterAndSearch: (term: string, row) =>
      `${row.name} ${row.title ?? ''} ${row.serviceName}`
        .toLocaleLowerCase('en-US')
        .includes(String(term).toLocaleLowerCase('en-US')),
  },
  {
    title: 'State',
    cellStyle: NO_WRAP,
    headerStyle: NO_WRAP,
    field: 'state',
    render: row => <CoverageStateBadge state={row.state} />,
    customSort: (a, b) =>
      COVERAGE_STATES.indexOf(a.state) - COVERAGE_STATES.indexOf(b.state),
  },
  {
    title: 'Owner',
    cellStyle: NO_WRAP,
    headerStyle: NO_WRAP,
    field: 'owner',
    render: row =>
      row.owner ? (
        <EntityRefLink entityRef={row.owner} defaultKind="group" />
      ) : (
        '—'
      ),
  },
  {
    title: 'System',
    cellStyle: NO_WRAP,
    headerStyle: NO_WRAP,
    field: 'system',
    render: row =>
      row.system ? (
        <EntityRefLink entityRef={row.system} defaultKind="system" />
      ) : (
        '—'
      ),
  },
  {
    // Requests received (entry spans), what owners mean by traffic; a service only others
    // call starts no traces, so a traces/s column read 0/s for it.
    title: 'Requests/s',
    field: 'figures.requestsPerSecond',
    type: 'numeric',
    cellStyle: NUMBER_CELL,
    headerStyle: NUMBER_CELL,
    render: row => formatTraffic(row.figures),
    customSort: (a, b) =>
      trafficPerSecond(a.figures) - trafficPerSecond(b.figures),
  },
  {
    title: 'Errors',
    field: 'figures.errorRatio',
    type: 'numeric',
    cellStyle: NUMBER_CELL,
    headerStyle: NUMBER_CELL,
    render: row => formatPercent(row.figures.errorRatio),
    customSort: (a, b) =>
      orMinus(a.figures.errorRatio) - orMinus(b.figures.errorRatio),
  },
  {
    title: 'p95',
    field: 'figures.p95Seconds',
    type: 'numeric',
    cellStyle: NUMBER_CELL,
    headerStyle: NUMBER_CELL,
    render: row => formatDuration(row.figures.p95Seconds),
    customSort: (a, b) =>
      orMinus(a.figures.p95Seconds) - orMinus(b.figures.p95Seconds),
  },
  {
    title: 'Complete',
    field: 'figures.completeness',
    type: 'numeric',
    cellStyle: NUMBER_CELL,
    headerStyle: NUMBER_CELL,
    render: row => (
      <span title="Share of judged traces that were complete">
        {formatPercent(row.figures.completeness)}
      </span>
    ),
    customSort: (a, b) =>
      orMinus(a.figures.completeness) - orMinus(b.figures.completeness),
  },
  {
    title: 'Last seen',
    cellStyle: NO_WRAP,
    headerStyle: NO_WRAP,
    field: 'lastSeen',
    render: row => formatAgo(row.lastSeen),
  },
];

/**
 * The row's service.name; when other components claim it too, a marker naming them (nobody can
 * change that service's sampling policy until only one does).
 */
function ServiceNameCell(props: { row: EntityCoverage }) {
  const { row } = props;
  const others = (row.conflictingEntities ?? []).filter(
    ref => ref !== row.entityRef,
  );
  if (others.length === 0) {
    if (row.serviceName === row.name) return null;
    return (
      <Typography variant="caption" color="textSecondary" component="div">
        {row.serviceName}
      </Typography>
    );
  }
  const message = `Also claimed by ${others.join(
    ', ',
  )}: its sampling policy cannot be changed until only one component claims it`;
  return (
    <Tooltip title={message}>
      <span
        data-testid="fleet-service-name-conflict"
        aria-label={`${row.serviceName}: ${message}`}
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 4,
          fontSize: '0.75rem',
        }}
      >
        {row.serviceName}
        <WarningIcon fontSize="inherit" color="error" />
        <span>claimed {others.length + 1}×</span>
      </span>
    </Tooltip>
  );
}

/** Every component with its coverage state and figures; filterable by state, owner and system. */
export function FleetCoverageTable(props: { items: EntityCoverage[] }) {
  return (
    <div data-testid="fleet-coverage-table" style={{ overflowX: 'auto' }}>
      {/* Above the table, not in its toolbar: there the filters and search squeeze it. */}
      <Typography variant="h5" component="h2" gutterBottom>
        Coverage by component
      </Typography>
      <Table<EntityCoverage>
        columns={columns}
        data={props.items}
        filters={[
          { column: 'State', type: 'multiple-select' },
          { column: 'Owner', type: 'select' },
          { column: 'System', type: 'select' },
        ]}
        options={{
          paging: props.items.length > 50,
          pageSize: 50,
          padding: 'dense',
          search: true,
        }}
      />
    </div>
  );
}
