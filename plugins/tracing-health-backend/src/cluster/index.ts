export { startCluster } from './startCluster';
export type { StartedCluster } from './startCluster';
export { readClusterConfig } from './readClusterConfig';
export type { ClusterConfig } from './readClusterConfig';
export { CLUSTER_DISABLED, createClusterStatusRouter } from './clusterStatus';
