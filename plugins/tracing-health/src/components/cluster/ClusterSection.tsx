import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  ClusterMemberStatus,
  ClusterPeerStatus,
  ClusterStatusResponse,
} from '@internal/plugin-tracing-health-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { tracingHealthApiRef } from '../../api';
import { formatAgo } from '../coverage/format';

const REFRESH_MS = 15_000;

const count = (n: number) => Math.round(n).toLocaleString('en-US');

const memberColumns: TableColumn<ClusterMemberStatus>[] = [
  {
    title: 'Replica',
    field: 'id',
    render: m => (m.self ? `${m.id} (answered this page)` : m.id),
  },
  {
    title: 'Running since',
    field: 'startedAt',
    render: m => formatAgo(m.startedAt),
  },
  {
    title: 'Last heartbeat',
    field: 'lastSeen',
    render: m => formatAgo(m.lastSeen),
  },
  {
    title: 'Spans held',
    field: 'heldSpans',
    type: 'numeric',
    render: m => (m.heldSpans === undefined ? '' : count(m.heldSpans)),
  },
];

const peerColumns: TableColumn<ClusterPeerStatus>[] = [
  { title: 'Peer', field: 'peer' },
  {
    title: 'Spans forwarded to it',
    field: 'forwardedSpans',
    type: 'numeric',
    render: p => count(p.forwardedSpans),
  },
  {
    title: 'Spans received from it',
    field: 'receivedSpans',
    type: 'numeric',
    render: p => count(p.receivedSpans),
  },
];

/** What the cluster status says, without fetching (tests and the section below). */
export function ClusterStatusView(props: { status: ClusterStatusResponse }) {
  const { status } = props;
  if (!status.enabled)
    return (
      <Typography variant="body2" data-testid="cluster-disabled">
        One replica: this portal decides every trace it receives. Set
        tracingHealth.cluster.advertiseUrl on each replica to run several on one
        database.
      </Typography>
    );
  const failed = status.forwardFailures.reduce((n, f) => n + f.forwards, 0);
  const lost = status.lostSpans.filter(l => l.spans > 0);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Typography variant="body2" data-testid="cluster-summary">
          {status.members.length} live{' '}
          {status.members.length === 1 ? 'replica' : 'replicas'} (heartbeat{' '}
          {status.heartbeatSeconds} s, dropped after {status.memberTtlSeconds}{' '}
          s); {status.ownershipChanges.joined} joined and{' '}
          {status.ownershipChanges.left} left since {status.self} started, which
          answers these figures.
        </Typography>
      </Grid>
      <Grid item xs={12} md={6}>
        <Table<ClusterMemberStatus>
          title="Members"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={memberColumns}
          data={status.members}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <Table<ClusterPeerStatus>
          title="Spans per peer"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={peerColumns}
          data={status.peers}
          emptyContent={
            <Typography variant="body2">No other replica yet.</Typography>
          }
        />
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Forward failures"
          subheader="Spans the owner could not take were decided by this replica: their traces may be split"
        >
          {failed === 0 ? (
            <Typography variant="body2" data-testid="cluster-no-failures">
              No forward failed.
            </Typography>
          ) : (
            <ul data-testid="cluster-failures">
              {status.forwardFailures.map(f => (
                <li key={f.reason}>
                  {f.reason}: {count(f.forwards)} forwards, {count(f.spans)}{' '}
                  spans
                </li>
              ))}
            </ul>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Lost with a replica"
          subheader="Spans a replica held when it ended without stopping (killed or crashed), as of its last heartbeat"
        >
          {lost.length === 0 ? (
            <Typography variant="body2" data-testid="cluster-no-loss">
              No replica ended without stopping while this one ran.
            </Typography>
          ) : (
            <ul data-testid="cluster-losses">
              {lost.map(l => (
                <li key={l.reason}>
                  {l.reason.replace(/_/g, ' ')}: {count(l.spans)} spans
                </li>
              ))}
            </ul>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** The fleet page's cluster section: the portal replicas and what they route to each other. */
export function ClusterSection() {
  const api = useApi(tracingHealthApiRef);
  const { value, error, loading, retry } = useAsyncRetry(
    async () => api.getClusterStatus(),
    [api],
  );
  useInterval(retry, REFRESH_MS);
  if (!value) {
    if (error) return <ResponseErrorPanel error={error} />;
    return loading ? <Progress /> : null;
  }
  return <ClusterStatusView status={value} />;
}
