import { InputError } from '@backstage/errors';
import YAML from 'yaml';
import {
  CollectorConfigInput,
  collectorSamplingProcessors,
  generatedNotes,
  policyNotes,
} from './renderCollectorConfig';

/**
 * How the agents find the gateways: the `loadbalancing` exporter's `resolver`. `dns` resolves a
 * hostname to every gateway's address (a Kubernetes headless service); `static` lists them.
 */
export type GatewayResolver =
  | { dns: { hostname: string; port: number } }
  | { static: { hostnames: string[] } };

export const TWO_TIER_TIERS = ['agent', 'gateway'] as const;
export type TwoTierTier = (typeof TWO_TIER_TIERS)[number];

/** The gateways' OTLP/gRPC port (the Collector's default). */
const OTLP_GRPC_PORT = 4317;
const MAX_STATIC_HOSTNAMES = 256;
const MAX_HOSTNAME_LENGTH = 253;
// A host name or IPv4 address, optionally `:port`; an IPv6 literal in brackets, optionally `:port`.
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;
const HOST_PORT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

const one = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new InputError(`${name} must be given once`);
  return value;
};

const validPort = (port: number) =>
  Number.isInteger(port) && port >= 1 && port <= 65535;

/**
 * The resolver from `/collector-config` query parameters: `resolver=dns` (default) with
 * `hostname` (default `otelcol-gateway`) and `port` (4317), or `resolver=static` with
 * `hostnames` (comma-separated `host[:port]`, at most 256). Throws InputError naming the bad one.
 */
export function gatewayResolverFromQuery(
  query: Record<string, unknown>,
): GatewayResolver {
  const kind = one(query.resolver, 'resolver') ?? 'dns';
  if (kind === 'dns') {
    const hostname = one(query.hostname, 'hostname') ?? 'otelcol-gateway';
    if (hostname.length > MAX_HOSTNAME_LENGTH || !HOST.test(hostname))
      throw new InputError('hostname must be a DNS name or an IP address');
    const rawPort = one(query.port, 'port');
    const port = rawPort === undefined ? OTLP_GRPC_PORT : Number(rawPort);
    if (!/^\d{1,5}$/.test(rawPort ?? '4317') || !validPort(port))
      throw new InputError('port must be an integer from 1 to 65535');
    return { dns: { hostname, port } };
  }
  if (kind === 'static') {
    const raw = one(query.hostnames, 'hostnames');
    if (!raw) throw new InputError('resolver=static needs hostnames');
    if (raw.length > MAX_STATIC_HOSTNAMES * (MAX_HOSTNAME_LENGTH + 7))
      throw new InputError('hostnames is too long');
    const hostnames = raw
      .split(',')
      .map(h => h.trim())
      .filter(Boolean);
    if (hostnames.length === 0 || hostnames.length > MAX_STATIC_HOSTNAMES)
      throw new InputError(
        `hostnames must list 1 to ${MAX_STATIC_HOSTNAMES} gateways`,
      );
    for (const h of hostnames) {
      const m = HOST_PORT.exec(h);
      if (
        !m ||
        h.length > MAX_HOSTNAME_LENGTH + 6 ||
        (m[1] !== undefined && !validPort(Number(m[1])))
      )
        throw new InputError(
          `hostnames: ${JSON.stringify(h.slice(0, 100))} is not a host[:port]`,
        );
    }
    return { static: { hostnames: [...new Set(hostnames)] } };
  }
  throw new InputError('resolver must be dns or static');
}

const memoryLimiter = {
  check_interval: '1s',
  limit_percentage: 80,
  spike_limit_percentage: 25,
};

const otlpReceiver = {
  otlp: {
    protocols: {
      grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
      http: { endpoint: '0.0.0.0:4318' },
    },
  },
};

/**
 * The agent tier: receives OTLP from the services' SDKs and sends every span of a trace to the
 * same gateway (`loadbalancing` exporter, `routing_key: traceID`), whichever agent received it.
 */
function agentConfig(resolver: GatewayResolver) {
  return {
    receivers: otlpReceiver,
    processors: { memory_limiter: memoryLimiter, batch: {} },
    exporters: {
      loadbalancing: {
        routing_key: 'traceID',
        protocol: {
          // The OTLP exporter's options; the endpoint comes from the resolver.
          otlp: { timeout: '5s', tls: { insecure: true } },
        },
        resolver,
      },
    },
    service: {
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch'],
          exporters: ['loadbalancing'],
        },
      },
    },
  };
}

/** The gateway tier: whole traces in, the portal's policies as `tail_sampling`, the backend out. */
function gatewayConfig(tailSampling: Record<string, unknown>) {
  return {
    receivers: { otlp: { protocols: otlpReceiver.otlp.protocols } },
    processors: {
      memory_limiter: memoryLimiter,
      tail_sampling: tailSampling,
      batch: {},
    },
    exporters: {
      otlp: {
        // Where kept traces go (Tempo, Jaeger, a vendor): set it in the gateways' environment.
        endpoint: '${env:TRACING_BACKEND_OTLP_ENDPOINT}',
      },
    },
    service: {
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'tail_sampling', 'batch'],
          exporters: ['otlp'],
        },
      },
    },
  };
}

/**
 * The two-tier Collector layout for fleets beyond the portal, from the portal's policies: an
 * agent tier whose `loadbalancing` exporter routes by trace id to a gateway tier that runs
 * `tail_sampling` (the same translation as `renderCollectorConfig`). Both tiers as one YAML stream
 * (two documents, agent first), or only `tier`'s document: a complete Collector config each.
 */
export function renderTwoTierCollectorConfig(
  input: CollectorConfigInput & {
    resolver: GatewayResolver;
    tier?: TwoTierTier;
  },
): string {
  const { tailSampling, servicesWithOperationRules } =
    collectorSamplingProcessors(input);
  const render = (tier: TwoTierTier) => {
    const doc = new YAML.Document(
      tier === 'agent'
        ? agentConfig(input.resolver)
        : gatewayConfig(tailSampling),
      { aliasDuplicateObjects: false },
    );
    const notes =
      tier === 'agent'
        ? [
            ' Tracing Health two-tier layout: AGENT tier (one per node, or a deployment the SDKs',
            ' send to). The loadbalancing exporter sends every span of a trace to one gateway',
            ' (routing_key traceID), so each gateway tail-samples whole traces. tls.insecure:',
            ' plaintext inside the cluster network; configure certificates to use TLS.',
            ...generatedNotes(input),
          ]
        : [
            ' Tracing Health two-tier layout: GATEWAY tier (the agents resolve it; a Kubernetes',
            ' headless service for the dns resolver). tail_sampling is the portal policies. A',
            ' rate_limiting policy applies in each gateway. Set TRACING_BACKEND_OTLP_ENDPOINT.',
            ...generatedNotes(input),
            ...policyNotes(input, servicesWithOperationRules),
          ];
    doc.commentBefore = notes.join('\n');
    return doc.toString({ lineWidth: 0 });
  };
  if (input.tier) return render(input.tier);
  return `${render('agent')}---\n${render('gateway')}`;
}
