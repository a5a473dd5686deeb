export { ClusterSection, ClusterStatusView } from './ClusterSection';
