/** `GET /api/tracing-health/cluster`: the portal replicas as the replica that answered sees them. */
export const CLUSTER_STATUS_PATH = '/cluster';

/** One live replica (a row of `tracing_health_cluster_members` seen within the TTL). */
export interface ClusterMemberStatus {
  /** Its member id: the internal base URL it advertises. */
  id: string;
  /** Whether it is the replica that answered. */
  self: boolean;
  /** ISO time its current run started, and its last heartbeat. */
  startedAt?: string;
  lastSeen?: string;
  /** Spans it held in memory at its last heartbeat (lost should it die without stopping). */
  heldSpans?: number;
}

/** Spans this replica exchanged with one peer since it started. */
export interface ClusterPeerStatus {
  peer: string;
  /** Spans forwarded to the peer, their owner. */
  forwardedSpans: number;
  /** Spans the peer forwarded here, their owner. */
  receivedSpans: number;
}

export interface ClusterStatusResponse {
  /** False when `tracingHealth.cluster` is not configured: one replica decides every trace. */
  enabled: boolean;
  /** The answering replica's member id. */
  self?: string;
  heartbeatSeconds?: number;
  memberTtlSeconds?: number;
  members: ClusterMemberStatus[];
  /** Per peer, since the answering replica started (counters of its /metrics). */
  peers: ClusterPeerStatus[];
  /** Forwards that failed, by reason; their spans were decided by the answering replica. */
  forwardFailures: Array<{ reason: string; forwards: number; spans: number }>;
  /**
   * Spans held by replicas that ended without stopping (SIGKILL, crash), by reason, as counted
   * by the answering replica (each loss is counted once across the fleet, by one replica).
   */
  lostSpans: Array<{ reason: string; spans: number }>;
  /** Members that joined or left the answering replica's view since it started. */
  ownershipChanges: { joined: number; left: number };
}
