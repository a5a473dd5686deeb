import { Registry } from 'prom-client';
import { ServiceGraphConnectionType } from '@internal/tracing-model';
import { KeyValue } from '../otlp/model';

export interface ServiceGraphOptions {
  /** The registry the metrics are registered on (the plugin's, never the global one). */
  registry: Registry;
  clock?: { now(): number };
  /** How long an unpaired half waits for its partner, in milliseconds. Default 10 s. */
  waitMs?: number;
  /** Unpaired halves held at once; more are dropped (`reason="store_full"`). Default 20,000. */
  maxPending?: number;
  /** Distinct edges (client, server, connection type); calls on more are dropped. Default 1,000. */
  maxEdges?: number;
  /** Services remembered as traced, and series of the per-service counters. Default 1,000. */
  maxServices?: number;
  /** Endpoints (`host:port`) remembered with the traced service that answers on them. Default 1,000. */
  maxEndpoints?: number;
  durationBucketsSeconds?: readonly number[];
}

/** Cumulative counters of one edge since the process started. */
export interface ServiceGraphEdgeCounters {
  client: string;
  server: string;
  connectionType: ServiceGraphConnectionType;
  /** Calls paired (or, for a virtual node, client spans to it). */
  requests: number;
  failed: number;
  /** Client spans to this traced server whose server span never joined the trace. */
  broken: number;
  durationSumSeconds: number;
  /** Calls per duration bucket (not cumulative), the last one `+Inf`. */
  durationCounts: number[];
}

export interface ServiceGraphSnapshot {
  takenAtMs: number;
  durationBoundsSeconds: readonly number[];
  edges: ServiceGraphEdgeCounters[];
  /** Per server service: spans whose remote parent never arrived. */
  orphanServerSpans: Record<string, number>;
  /** Per client service: unpaired client spans that name no peer. */
  unpairedClientSpans: Record<string, number>;
  /** Per reason (`store_full`, `max_edges`). */
  dropped: Record<string, number>;
  /** Halves waiting for their partner now. */
  pending: number;
}

// ---- the state of one ServiceGraph ----

export interface ClientHalf {
  side: 'client';
  deadline: number;
  service: string;
  messaging: boolean;
  failed: boolean;
  seconds: number;
  /** The span's attributes, read only when needed (expiry, learning an endpoint). */
  attributes: KeyValue[] | null | undefined;
  /** A span of the same service is its child: not a leaf call (e.g. a DB client span around an HTTP one). */
  hasLocalChild: boolean;
  /** A producer stays after pairing until its wait ends, for the message's other consumers. */
  paired: boolean;
}

export interface ServerHalf {
  service: string;
  messaging: boolean;
  failed: boolean;
  seconds: number;
}

export interface ServerHalves {
  side: 'server';
  deadline: number;
  halves: ServerHalf[];
}

export type Pending = ClientHalf | ServerHalves;

export interface EdgeState extends ServiceGraphEdgeCounters {
  /** Pairs whose client endpoint was read to learn who answers there. */
  learned: number;
}
