import { ServiceGraphConnectionType } from './metrics';

/**
 * Which side most likely loses the trace context on an edge with broken propagation:
 * `client`: the server joins other callers' traces, so this client does not inject the context on
 * this call path; `server`: the client's context reaches other servers, so this server does not
 * extract it; `unknown`: neither side shows the other working.
 */
export type BrokenPropagationSide = 'client' | 'server' | 'unknown';

/** One edge of the service graph (client service → server service) over the recent window. */
export interface DependencyEdge {
  client: string;
  server: string;
  /** The catalog components whose service is the client / the server, where one maps to it. */
  clientEntityRef?: string;
  serverEntityRef?: string;
  connectionType: ServiceGraphConnectionType;
  /** The server sends no spans: an uninstrumented dependency named from the client's span attributes. */
  virtual: boolean;
  /** Calls per second (paired, or client spans to a virtual node). */
  requestsPerSecond: number;
  /** Failed / calls; absent without calls. */
  errorRatio?: number;
  /** Server latency (the client's for a virtual node); absent without calls. */
  p95Seconds?: number;
  /** Client spans per second whose server span never joined the trace while the server is traced. */
  brokenPerSecond: number;
  /** Broken / (calls + broken); absent when neither was seen. */
  brokenRatio?: number;
  /** `ok`, `broken` (context lost on some calls) or `not-traced` (virtual node). */
  propagation: 'ok' | 'broken' | 'not-traced';
  /** Set when propagation is `broken`. */
  likelyBrokenSide?: BrokenPropagationSide;
}

/** `GET /api/tracing-health/dependencies/entity/:namespace/:kind/:name` */
export interface EntityDependenciesResponse {
  serviceName: string;
  windowMinutes: number;
  /** Edges whose server is this service (its callers). */
  upstream: DependencyEdge[];
  /** Edges whose client is this service (what it calls). */
  downstream: DependencyEdge[];
  /** Server spans per second whose caller's span never arrived (the caller sends no spans). */
  orphanServerSpansPerSecond: number;
  /** Other services call this component, but it sends no spans: it shows only as a virtual node. */
  calledButNotTraced: boolean;
}

/** An uninstrumented dependency: a virtual node, with the component it matches in the catalog. */
export interface UninstrumentedDependency {
  name: string;
  entityRef?: string;
  callers: string[];
  requestsPerSecond: number;
}

/** `GET /api/tracing-health/dependencies/fleet?limit=20` */
export interface FleetDependenciesResponse {
  generatedAt: string;
  windowMinutes: number;
  /** Edges with broken propagation first (most broken first), then by error ratio. */
  worstEdges: DependencyEdge[];
  /** Virtual nodes, the ones matching a catalog component first. */
  uninstrumented: UninstrumentedDependency[];
  /** How many edges the window holds in all. */
  totalEdges: number;
}
