import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { DependencyEdge } from '@internal/plugin-tracing-health-common';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatDuration, formatPercent, formatRate } from '../coverage/format';
import { propagationSummary } from './propagation';

function ServiceCell(props: {
  name: string;
  entityRef?: string;
  virtual?: boolean;
}) {
  return (
    <>
      {props.entityRef ? (
        <EntityRefLink entityRef={props.entityRef} title={props.name} />
      ) : (
        props.name
      )}
      {props.virtual && (
        <Chip
          size="small"
          label="not traced"
          style={{ marginLeft: 8 }}
          data-testid="virtual-node"
        />
      )}
    </>
  );
}

const COLORS = { ok: undefined, warning: '#b26a00', error: '#c62828' } as const;

/**
 * Edges as a table: `show` picks the columns naming the other side (`server` for what a service
 * calls, `client` for its callers, `both` for the fleet).
 */
export function DependencyTable(props: {
  edges: DependencyEdge[];
  show: 'client' | 'server' | 'both';
  empty: string;
  testId?: string;
}) {
  const { edges, show } = props;
  if (edges.length === 0)
    return (
      <Typography variant="body2" color="textSecondary">
        {props.empty}
      </Typography>
    );
  return (
    <Table size="small" data-testid={props.testId}>
      <TableHead>
        <TableRow>
          {show !== 'server' && <TableCell>Caller</TableCell>}
          {show !== 'client' && <TableCell>Callee</TableCell>}
          <TableCell align="right">Rate</TableCell>
          <TableCell align="right">Errors</TableCell>
          <TableCell align="right">p95</TableCell>
          <TableCell>Propagation</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {edges.map(e => {
          const p = propagationSummary(e);
          return (
            <TableRow
              key={`${e.client}|${e.server}|${e.connectionType}`}
              data-testid="dependency-edge"
              data-client={e.client}
              data-server={e.server}
              data-propagation={e.propagation}
            >
              {show !== 'server' && (
                <TableCell>
                  <ServiceCell name={e.client} entityRef={e.clientEntityRef} />
                </TableCell>
              )}
              {show !== 'client' && (
                <TableCell>
                  <ServiceCell
                    name={e.server}
                    entityRef={e.serverEntityRef}
                    virtual={e.virtual}
                  />
                  {e.connectionType === 'messaging_system' && (
                    <Typography variant="caption" color="textSecondary">
                      {' '}
                      (messaging)
                    </Typography>
                  )}
                </TableCell>
              )}
              <TableCell align="right">
                {/* Every call seen: paired, to a virtual node, or losing the context. */}
                {formatRate(e.requestsPerSecond + e.brokenPerSecond)}
              </TableCell>
              <TableCell align="right">{formatPercent(e.errorRatio)}</TableCell>
              <TableCell align="right">
                {formatDuration(e.p95Seconds)}
              </TableCell>
              <TableCell>
                <Typography
                  variant="body2"
                  style={{ color: COLORS[p.severity] }}
                >
                  {p.label}
                </Typography>
                {p.detail && (
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    component="div"
                  >
                    {p.detail}
                  </Typography>
                )}
                {p.runbook && (
                  <Link to={p.runbook} data-testid="broken-propagation-runbook">
                    Runbook: broken propagation
                  </Link>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
