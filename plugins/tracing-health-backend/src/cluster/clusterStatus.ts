import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  CLUSTER_METRICS,
  CLUSTER_STATUS_PATH,
  ClusterStatusResponse,
} from '@internal/plugin-tracing-health-common';
import Router from 'express-promise-router';
import { Registry } from 'prom-client';
import type { ClusterMembership } from './ClusterMembership';

/** The answer when `tracingHealth.cluster` is not configured. */
export const CLUSTER_DISABLED: ClusterStatusResponse = {
  enabled: false,
  members: [],
  peers: [],
  forwardFailures: [],
  lostSpans: [],
  ownershipChanges: { joined: 0, left: 0 },
};

/** A counter's values by one label, read from the registry (empty when it is not registered). */
async function byLabel(
  registry: Registry,
  name: string,
  label: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const metric = registry.getSingleMetric(name);
  if (!metric) return out;
  const { values } = await metric.get();
  for (const v of values) {
    const key = String(v.labels[label] ?? '');
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

const iso = (ms: number) =>
  Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;

/**
 * The cluster as this replica sees it: live members from its last membership read, and its
 * own counters (the ones `/metrics` exposes) per peer and reason.
 */
export async function clusterStatus(options: {
  membership: ClusterMembership;
  registry: Registry;
  heartbeatSeconds: number;
  memberTtlSeconds: number;
}): Promise<ClusterStatusResponse> {
  const { membership, registry } = options;
  const view = membership.view();
  const rows = new Map(membership.memberRows().map(r => [r.memberId, r]));
  const [forwarded, received, failures, failedSpans, changes, lost] =
    await Promise.all([
      byLabel(registry, CLUSTER_METRICS.forwardedSpans, 'peer'),
      byLabel(registry, CLUSTER_METRICS.receivedSpans, 'peer'),
      byLabel(registry, CLUSTER_METRICS.forwardFailures, 'reason'),
      byLabel(registry, CLUSTER_METRICS.forwardFailedSpans, 'reason'),
      byLabel(registry, CLUSTER_METRICS.ownershipChanges, 'change'),
      byLabel(registry, CLUSTER_METRICS.lostSpans, 'reason'),
    ]);
  const peers = [...new Set([...forwarded.keys(), ...received.keys()])]
    .concat(view.members.filter(m => m !== view.self))
    .filter((p, i, all) => all.indexOf(p) === i)
    .sort()
    .map(peer => ({
      peer,
      forwardedSpans: forwarded.get(peer) ?? 0,
      receivedSpans: received.get(peer) ?? 0,
    }));
  return {
    enabled: true,
    self: view.self,
    heartbeatSeconds: options.heartbeatSeconds,
    memberTtlSeconds: options.memberTtlSeconds,
    members: view.members.map(id => {
      const row = rows.get(id);
      return {
        id,
        self: id === view.self,
        startedAt: row ? iso(row.startedAtMs) : undefined,
        lastSeen: row ? iso(row.lastSeenMs) : undefined,
        heldSpans: row?.heldSpans,
      };
    }),
    peers,
    forwardFailures: [...failures.keys()].sort().map(reason => ({
      reason,
      forwards: failures.get(reason) ?? 0,
      spans: failedSpans.get(reason) ?? 0,
    })),
    lostSpans: [...lost.keys()].sort().map(reason => ({
      reason,
      spans: lost.get(reason) ?? 0,
    })),
    ownershipChanges: {
      joined: changes.get('joined') ?? 0,
      left: changes.get('left') ?? 0,
    },
  };
}

/**
 * `GET /cluster`: the cluster as the answering replica sees it, for signed-in users and
 * services (read tokens), like the coverage routes. Answers `enabled: false` for one replica.
 */
export function createClusterStatusRouter(options: {
  httpAuth: HttpAuthService;
  status(): Promise<ClusterStatusResponse>;
}) {
  const router = Router();
  router.get(CLUSTER_STATUS_PATH, async (req, res) => {
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.setHeader('Cache-Control', 'no-store');
    res.json(await options.status());
  });
  return router;
}
