import { AnyValue, KeyValue } from '../otlp/model';
import { MAX_SERVICE_NAME_LENGTH } from '../spanMetrics/labels';

/** What a client (or producer) span says about the peer it called. */
export interface PeerInfo {
  /** `peer.service`: the name the caller gives the callee. */
  peerService?: string;
  /** `server.address` (or the older `net.peer.name`). */
  address?: string;
  /** `address:port` when a port is known: the key of the address book. */
  endpoint?: string;
  /** `db.system`, with `db.namespace` / `db.name` after a slash when present. */
  database?: string;
  /** `messaging.system`, with `messaging.destination.name` after a slash when present. */
  messaging?: string;
}

function text(v: AnyValue | null | undefined): string | undefined {
  if (!v) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue || undefined;
  if (v.intValue !== null && v.intValue !== undefined)
    return typeof v.intValue === 'number'
      ? String(v.intValue)
      : v.intValue.toString();
  return undefined;
}

/** Names longer than a service name are not names (and would make huge labels). */
function bounded(s: string | undefined): string | undefined {
  return s && s.length <= MAX_SERVICE_NAME_LENGTH ? s : undefined;
}

function join(a: string | undefined, b: string | undefined) {
  if (!a) return undefined;
  return bounded(b ? `${a}/${b}` : a);
}

/** Reads the peer attributes of a client or producer span (one pass over its attributes). */
export function peerInfoOf(
  attributes: KeyValue[] | null | undefined,
): PeerInfo {
  let peerService: string | undefined;
  let address: string | undefined;
  let oldAddress: string | undefined;
  let port: string | undefined;
  let oldPort: string | undefined;
  let dbSystem: string | undefined;
  let dbName: string | undefined;
  let msgSystem: string | undefined;
  let msgDest: string | undefined;
  for (const kv of attributes ?? []) {
    switch (kv.key) {
      case 'peer.service':
        peerService = text(kv.value);
        break;
      case 'server.address':
        address = text(kv.value);
        break;
      case 'net.peer.name':
        oldAddress = text(kv.value);
        break;
      case 'server.port':
        port = text(kv.value);
        break;
      case 'net.peer.port':
        oldPort = text(kv.value);
        break;
      case 'db.system':
      case 'db.system.name':
        dbSystem = text(kv.value);
        break;
      case 'db.namespace':
      case 'db.name':
        dbName ??= text(kv.value);
        break;
      case 'messaging.system':
        msgSystem = text(kv.value);
        break;
      case 'messaging.destination.name':
        msgDest = text(kv.value);
        break;
      default:
    }
  }
  const host = bounded(address ?? oldAddress);
  const p = port ?? oldPort;
  return {
    peerService: bounded(peerService),
    address: host,
    endpoint: host ? bounded(p ? `${host}:${p}` : host) : undefined,
    database: join(dbSystem, dbName),
    messaging: join(msgSystem, msgDest),
  };
}

/**
 * The endpoint a server span says it answered on (`server.address:server.port`, or the older
 * `net.host.name:net.host.port`, or `http.host`), so that calls to it can be recognised when they
 * never join its traces.
 */
export function serverEndpointOf(
  attributes: KeyValue[] | null | undefined,
): string | undefined {
  let address: string | undefined;
  let port: string | undefined;
  let oldAddress: string | undefined;
  let oldPort: string | undefined;
  let httpHost: string | undefined;
  for (const kv of attributes ?? []) {
    switch (kv.key) {
      case 'server.address':
        address = text(kv.value);
        break;
      case 'server.port':
        port = text(kv.value);
        break;
      case 'net.host.name':
        oldAddress = text(kv.value);
        break;
      case 'net.host.port':
        oldPort = text(kv.value);
        break;
      case 'http.host':
        httpHost = text(kv.value);
        break;
      default:
    }
  }
  if (address) return bounded(port ? `${address}:${port}` : address);
  if (oldAddress)
    return bounded(oldPort ? `${oldAddress}:${oldPort}` : oldAddress);
  return bounded(httpHost);
}
