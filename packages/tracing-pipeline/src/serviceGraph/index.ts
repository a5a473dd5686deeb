export { ServiceGraph } from './ServiceGraph';
export type {
  ServiceGraphOptions,
  ServiceGraphSnapshot,
  ServiceGraphEdgeCounters,
} from './ServiceGraph';
export { mergeServiceGraphs } from './mergeServiceGraphs';
export { peerInfoOf, serverEndpointOf } from './peerAttributes';
export type { PeerInfo } from './peerAttributes';
