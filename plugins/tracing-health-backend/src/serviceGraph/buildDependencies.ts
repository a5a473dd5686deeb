import {
  BrokenPropagationSide,
  DependencyEdge,
  TracedServiceInfo,
  UninstrumentedDependency,
} from '@internal/plugin-tracing-health-common';
import { histogramQuantile } from '@internal/tracing-pipeline';
import { ServiceGraphWindow, WindowEdge } from './ServiceGraphRollups';

/** Which catalog component a service name (or a virtual node's name) belongs to. */
export class ComponentIndex {
  private readonly byServiceName = new Map<string, TracedServiceInfo>();
  private readonly byName = new Map<string, TracedServiceInfo>();

  constructor(components: readonly TracedServiceInfo[]) {
    for (const c of components) {
      if (!this.byServiceName.has(c.settings.serviceName))
        this.byServiceName.set(c.settings.serviceName, c);
      if (!this.byName.has(c.name)) this.byName.set(c.name, c);
    }
  }

  /** A traced service's component: by its `service.name` (annotation, default `metadata.name`). */
  ofService(serviceName: string): TracedServiceInfo | undefined {
    return this.byServiceName.get(serviceName);
  }

  /** A virtual node's component: by `service.name` first, then by `metadata.name`. */
  ofVirtualNode(name: string): TracedServiceInfo | undefined {
    return this.byServiceName.get(name) ?? this.byName.get(name);
  }
}

/**
 * Names the side that most likely loses the context on an edge whose calls do not all join the
 * server's traces: when the server joins other callers' traces (or this client's on other
 * calls), the client drops the context on this path; when this client's context reaches other
 * servers, the server does not extract it.
 */
export function likelyBrokenSide(
  edge: WindowEdge,
  all: readonly WindowEdge[],
): BrokenPropagationSide {
  const traced = (e: WindowEdge) =>
    e.connectionType !== 'virtual_node' && e.requests > 0;
  if (edge.requests > 0) return 'client';
  const serverJoinsOthers = all.some(
    e => traced(e) && e.server === edge.server && e.client !== edge.client,
  );
  const clientPropagates = all.some(
    e => traced(e) && e.client === edge.client && e.server !== edge.server,
  );
  if (serverJoinsOthers) return 'client';
  if (clientPropagates) return 'server';
  return 'unknown';
}

/** Every edge of the window with its rates and propagation health, components matched. */
export function dependencyEdges(
  window: ServiceGraphWindow,
  components: ComponentIndex,
): DependencyEdge[] {
  const { seconds, durationBoundsSeconds: bounds } = window;
  return window.edges
    .filter(e => e.requests > 0 || e.broken > 0)
    .map(e => {
      const virtual = e.connectionType === 'virtual_node';
      const server = virtual
        ? components.ofVirtualNode(e.server)
        : components.ofService(e.server);
      const broken = !virtual && e.broken > 0;
      let propagation: DependencyEdge['propagation'] = broken ? 'broken' : 'ok';
      if (virtual) propagation = 'not-traced';
      return {
        client: e.client,
        server: e.server,
        clientEntityRef: components.ofService(e.client)?.entityRef,
        serverEntityRef: server?.entityRef,
        connectionType: e.connectionType,
        virtual,
        requestsPerSecond: e.requests / seconds,
        errorRatio: e.requests > 0 ? e.failed / e.requests : undefined,
        p95Seconds:
          e.requests > 0 && e.durationCounts.length === bounds.length + 1
            ? histogramQuantile(0.95, bounds, e.durationCounts)
            : undefined,
        brokenPerSecond: e.broken / seconds,
        brokenRatio:
          e.requests + e.broken > 0
            ? e.broken / (e.requests + e.broken)
            : undefined,
        propagation,
        likelyBrokenSide: broken
          ? likelyBrokenSide(e, window.edges)
          : undefined,
      } satisfies DependencyEdge;
    });
}

/** Broken propagation first (most broken first), then the highest error ratios. */
export function worstEdges(
  edges: readonly DependencyEdge[],
  limit: number,
): DependencyEdge[] {
  return edges
    .filter(
      e => !e.virtual && (e.brokenPerSecond > 0 || (e.errorRatio ?? 0) > 0),
    )
    .sort(
      (a, b) =>
        b.brokenPerSecond - a.brokenPerSecond ||
        (b.errorRatio ?? 0) - (a.errorRatio ?? 0) ||
        b.requestsPerSecond - a.requestsPerSecond,
    )
    .slice(0, limit);
}

/** The virtual nodes, those matching a catalog component first, then the busiest. */
export function uninstrumented(
  edges: readonly DependencyEdge[],
  limit: number,
): UninstrumentedDependency[] {
  const nodes = new Map<string, UninstrumentedDependency>();
  for (const e of edges) {
    if (!e.virtual) continue;
    let node = nodes.get(e.server);
    if (!node) {
      node = {
        name: e.server,
        entityRef: e.serverEntityRef,
        callers: [],
        requestsPerSecond: 0,
      };
      nodes.set(e.server, node);
    }
    if (!node.callers.includes(e.client)) node.callers.push(e.client);
    node.requestsPerSecond += e.requestsPerSecond;
  }
  return [...nodes.values()]
    .sort(
      (a, b) =>
        Number(Boolean(b.entityRef)) - Number(Boolean(a.entityRef)) ||
        b.requestsPerSecond - a.requestsPerSecond,
    )
    .slice(0, limit);
}
