import {
  AuthService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import type { ClusterStatusResponse } from '@internal/plugin-tracing-health-common';
import type { Pipeline, WorkerPoolCluster } from '@internal/tracing-pipeline';
import { Knex } from 'knex';
import { Registry } from 'prom-client';
import { ClusterMemberStore } from './ClusterMemberStore';
import { ClusterMembership } from './ClusterMembership';
import { clusterStatus } from './clusterStatus';
import { createClusterRouter } from './createClusterRouter';
import { PeerForwarder } from './PeerForwarder';
import { readClusterConfig } from './readClusterConfig';

export interface StartedCluster {
  membership: ClusterMembership;
  /** What the pipeline routes with (see startPipeline's `cluster`). */
  routing: WorkerPoolCluster;
  /** Hands the spans of forwards that failed to this replica's pipeline, once it exists. */
  decideFailedForwardsWith(pipeline: Pick<Pipeline, 'handle'>): void;
  /**
   * Sends what lingers for the peers at once; resolves when every forward was acknowledged or
   * decided here. The pipeline shuts down only after it (SIGTERM), so that nothing accepted is
   * left undecided.
   */
  flushForwards(): Promise<void>;
  /**
   * The internal route, once the pipeline that decides the received spans exists (`workers`: its
   * worker threads, 0 in the calling thread).
   */
  router(
    pipeline: Pick<Pipeline, 'handle'>,
    workers: number,
  ): ReturnType<typeof createClusterRouter>;
  /** What `GET /cluster` answers: members, spans per peer, failures, ownership changes. */
  status(): Promise<ClusterStatusResponse>;
}

/**
 * Several portal replicas on one database (`tracingHealth.cluster`): membership with a heartbeat,
 * trace ownership over the live members, forwarding to owners. Undefined when not configured:
 * one replica decides everything it receives, as before.
 */
export async function startCluster(options: {
  config: Config;
  knex: Knex;
  auth: AuthService;
  httpAuth: HttpAuthService;
  registry: Registry;
  logger: LoggerService;
  lifecycle: LifecycleService;
  /** Spans the pipeline holds in memory now (reported with each heartbeat; see ClusterMembership). */
  heldSpans?: () => number;
}): Promise<StartedCluster | undefined> {
  const config = readClusterConfig(options.config);
  if (!config) return undefined;
  const { knex, auth, httpAuth, registry, lifecycle } = options;
  const logger = options.logger.child({ component: 'cluster' });
  // Each heartbeat reports what the pipeline holds and what is queued for the peers.
  let queuedForPeers = () => 0;
  const membership = new ClusterMembership({
    store: new ClusterMemberStore(knex),
    self: config.advertiseUrl,
    heartbeatMs: config.heartbeatSeconds * 1000,
    ttlMs: config.memberTtlSeconds * 1000,
    registry,
    logger,
    heldSpans: () => (options.heldSpans?.() ?? 0) + queuedForPeers(),
  });
  const forwarder = new PeerForwarder({
    auth,
    self: config.advertiseUrl,
    isMember: id => membership.isMember(id),
    queue: {
      lingerMs: config.forwardLingerMs,
      maxBatchSpans: config.forwardBatchSpans,
      maxBatchBytes: config.forwardBatchBytes,
      maxQueueBytes: config.forwardQueueBytes,
      concurrency: config.forwardConcurrency,
      deadlineMs: config.forwardTimeoutSeconds * 1000,
    },
    compression: config.forwardCompression,
    registry,
    logger,
    lost: (reason, spans) => membership.countLostSpans(reason, spans),
    peerWorkers: (peer, workers) => membership.setWorkers(peer, workers),
  });
  queuedForPeers = () => forwarder.queuedSpans();
  await membership.start();
  // Others route to this replica only once it serves its routes.
  lifecycle.addStartupHook(() => membership.join());
  lifecycle.addShutdownHook(() => membership.stop());
  logger.info('cluster routing on', {
    advertiseUrl: config.advertiseUrl,
    members: membership.view().members.join(', '),
  });
  return {
    membership,
    routing: {
      view: () => membership.view(),
      onChange: listener => membership.onChange(listener),
      forward: (peer, body, spans, shard) =>
        forwarder.forward(peer, body, spans, shard),
    },
    status: () =>
      clusterStatus({
        membership,
        registry,
        heartbeatSeconds: config.heartbeatSeconds,
        memberTtlSeconds: config.memberTtlSeconds,
      }),
    decideFailedForwardsWith: pipeline =>
      forwarder.decideFailedForwardsWith(pipeline),
    flushForwards: () => forwarder.flush(),
    router: (pipeline, workers) =>
      createClusterRouter({
        auth,
        httpAuth,
        pipeline,
        workers,
        isMember: id => membership.isMember(id),
        registry,
      }),
  };
}
