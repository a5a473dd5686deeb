import { ServiceGraphConnectionType } from '@internal/tracing-model';
import { bucketIndex } from '../spanMetrics/histogramQuantile';
import { EdgeState } from './types';

const CONNECTION_TYPE_INDEX: Record<ServiceGraphConnectionType, number> = {
  '': 0,
  messaging_system: 1,
  virtual_node: 2,
};

/** The service graph's edges, at most `maxEdges` (more: `dropped.max_edges`). */
export class EdgeStore {
  /** Edges by client, then server, then connection type (no key strings built per call). */
  private readonly edgeIndex = new Map<string, Map<string, EdgeState[]>>();
  readonly edges: EdgeState[] = [];

  constructor(
    private readonly maxEdges: number,
    private readonly bounds: readonly number[],
    private readonly dropped: Record<string, number>,
  ) {}

  edgeFor(
    client: string,
    server: string,
    connectionType: ServiceGraphConnectionType,
  ): EdgeState | undefined {
    let byServer = this.edgeIndex.get(client);
    let byType = byServer?.get(server);
    const t = CONNECTION_TYPE_INDEX[connectionType];
    let edge = byType?.[t];
    if (edge) return edge;
    if (this.edges.length >= this.maxEdges) {
      this.dropped.max_edges++;
      return undefined;
    }
    edge = {
      client,
      server,
      connectionType,
      requests: 0,
      failed: 0,
      broken: 0,
      durationSumSeconds: 0,
      durationCounts: new Array(this.bounds.length + 1).fill(0),
      learned: 0,
    };
    if (!byServer) {
      byServer = new Map();
      this.edgeIndex.set(client, byServer);
    }
    if (!byType) {
      byType = [];
      byServer.set(server, byType);
    }
    byType[t] = edge;
    this.edges.push(edge);
    return edge;
  }

  observe(edge: EdgeState, seconds: number) {
    edge.durationCounts[bucketIndex(this.bounds, seconds)]++;
    edge.durationSumSeconds += seconds;
  }
}
