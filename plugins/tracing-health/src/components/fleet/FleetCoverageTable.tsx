import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import WarningIcon from '@material-ui/icons/Warning';
import {
  COVERAGE_STATES,
  EntityCoverage,
} from '@internal/plugin-tracing-health-common';
import { CoverageStateBadge } from '../coverage/CoverageStateBadge';
import {
  formatAgo,
  formatDuration,
  formatPercent,
  formatRate,
} from '../coverage/format';

// Sorting uses the raw values; missing figures sort as -1 so they gather at one end.
const NO_WRAP = { whiteSpace: 'nowrap' } as const;
const orMinus = (v: number | undefined) => v ?? -1;

const columns: TableColumn<EntityCoverage>[] = [
  {
    title: 'Component',
    field: 'name',
    highlight: true,
    render: row => (
      <EntityRefLink entityRef={row.entityRef} title={row.title ?? row.name} />
    ),
  },
  {
    title: 'State',
    cellStyle: NO_WRAP,
    field: 'state',
    render: row => <CoverageStateBadge state={row.state} />,
    customSort: (a, b) =>
      COVERAGE_STATES.indexOf(a.state) - COVERAGE_STATES.indexOf(b.state),
  },
  {
    title: 'Owner',
    cellStyle: NO_WRAP,
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
    field: 'system',
    render: row =>
      row.system ? (
        <EntityRefLink entityRef={row.system} defaultKind="system" />
      ) : (
        '—'
      ),
  },
  {
    title: 'service.name',
    field: 'serviceName',
    render: row => <ServiceNameCell row={row} />,
  },
  {
    title: 'Spans/s',
    field: 'figures.spansPerSecond',
    type: 'numeric',
    render: row => formatRate(row.figures.spansPerSecond),
  },
  {
    // Traces the service started (its root spans): 0 for services only ever called by others.
    title: 'Traces/s',
    field: 'figures.tracesPerSecond',
    type: 'numeric',
    render: row => formatRate(row.figures.tracesPerSecond),
  },
  {
    title: 'Errors',
    field: 'figures.errorRatio',
    type: 'numeric',
    render: row => formatPercent(row.figures.errorRatio),
    customSort: (a, b) =>
      orMinus(a.figures.errorRatio) - orMinus(b.figures.errorRatio),
  },
  {
    title: 'p95',
    cellStyle: NO_WRAP,
    field: 'figures.p95Seconds',
    type: 'numeric',
    render: row => formatDuration(row.figures.p95Seconds),
    customSort: (a, b) =>
      orMinus(a.figures.p95Seconds) - orMinus(b.figures.p95Seconds),
  },
  {
    title: 'Completeness',
    field: 'figures.completeness',
    type: 'numeric',
    render: row => formatPercent(row.figures.completeness),
    customSort: (a, b) =>
      orMinus(a.figures.completeness) - orMinus(b.figures.completeness),
  },
  {
    title: 'Last seen',
    cellStyle: NO_WRAP,
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
  if (others.length === 0) return <>{row.serviceName}</>;
  const message = `Also claimed by ${others.join(
    ', ',
  )}: its sampling policy cannot be changed until only one component claims it`;
  return (
    <Tooltip title={message}>
      <span
        data-testid="fleet-service-name-conflict"
        aria-label={`${row.serviceName}: ${message}`}
        style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}
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
      <Table<EntityCoverage>
        title="Coverage by component"
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
