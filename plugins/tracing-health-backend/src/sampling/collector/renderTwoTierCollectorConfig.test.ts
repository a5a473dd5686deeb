import { validateSamplingPolicy } from '@internal/plugin-tracing-health-common';
import YAML from 'yaml';
import {
  collectorSamplingProcessors,
  CollectorConfigInput,
} from './renderCollectorConfig';
import {
  gatewayResolverFromQuery,
  renderTwoTierCollectorConfig,
} from './renderTwoTierCollectorConfig';

function policy(input: unknown) {
  const result = validateSamplingPolicy(input);
  if (!result.success) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const input: CollectorConfigInput = {
  services: [
    {
      serviceName: 'checkout',
      policy: policy({ strategy: { type: 'probabilistic', rate: 0.25 } }),
    },
    {
      serviceName: 'search',
      policy: policy({
        strategy: { type: 'rate-limiting', tracesPerSecond: 4 },
        alwaysKeep: { keepErrors: false },
      }),
    },
  ],
  defaultPolicy: {
    policy: policy({ strategy: { type: 'probabilistic', rate: 0.1 } }),
  },
  spansPerTrace: 10,
  version: 3,
  generatedAt: new Date('2026-12-04T06:00:00Z'),
};

describe('renderTwoTierCollectorConfig', () => {
  it('renders an agent tier routing by traceID to the gateways and a gateway tier tail-sampling with the portal policies', () => {
    const text = renderTwoTierCollectorConfig({
      ...input,
      resolver: { dns: { hostname: 'otelcol-gateway.obs.svc', port: 4317 } },
    });
    const docs = YAML.parseAllDocuments(text);
    expect(docs.map(d => d.errors)).toEqual([[], []]);
    const [agent, gateway] = docs.map(d => d.toJS());

    expect(agent.exporters).toEqual({
      loadbalancing: {
        routing_key: 'traceID',
        protocol: { otlp: { timeout: '5s', tls: { insecure: true } } },
        resolver: { dns: { hostname: 'otelcol-gateway.obs.svc', port: 4317 } },
      },
    });
    expect(agent.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'batch'],
      exporters: ['loadbalancing'],
    });
    // the agent samples nothing: gateways decide whole traces
    expect(agent.processors.tail_sampling).toBeUndefined();

    expect(gateway.processors.tail_sampling).toEqual(
      collectorSamplingProcessors(input).tailSampling,
    );
    expect(
      gateway.processors.tail_sampling.policies.map((p: any) => p.name),
    ).toEqual(
      expect.arrayContaining([
        'service:checkout:sample',
        'service:checkout:errors',
        'service:search:sample',
      ]),
    );
    expect(gateway.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'tail_sampling', 'batch'],
      exporters: ['otlp'],
    });
    // every component a pipeline names is declared
    for (const config of [agent, gateway]) {
      const { receivers, processors, exporters } =
        config.service.pipelines.traces;
      for (const r of receivers) expect(config.receivers[r]).toBeDefined();
      for (const p of processors) expect(config.processors[p]).toBeDefined();
      for (const e of exporters) expect(config.exporters[e]).toBeDefined();
    }
    expect(text).toContain('control-plane version 3');
  });

  it('renders one tier alone as a single Collector config, with a static resolver', () => {
    const resolver = { static: { hostnames: ['gw-1:4317', 'gw-2:4317'] } };
    const agent = YAML.parseAllDocuments(
      renderTwoTierCollectorConfig({ ...input, resolver, tier: 'agent' }),
    );
    expect(agent).toHaveLength(1);
    expect(agent[0].toJS().exporters.loadbalancing.resolver).toEqual(resolver);
    const gateway = YAML.parseAllDocuments(
      renderTwoTierCollectorConfig({ ...input, resolver, tier: 'gateway' }),
    );
    expect(gateway).toHaveLength(1);
    expect(gateway[0].toJS().exporters.otlp.endpoint).toBe(
      '${env:TRACING_BACKEND_OTLP_ENDPOINT}',
    );
  });
});

describe('gatewayResolverFromQuery', () => {
  it.each<[Record<string, unknown>, unknown]>([
    [{}, { dns: { hostname: 'otelcol-gateway', port: 4317 } }],
    [
      { resolver: 'dns', hostname: 'gw.obs.svc.cluster.local', port: '55690' },
      { dns: { hostname: 'gw.obs.svc.cluster.local', port: 55690 } },
    ],
    [
      {
        resolver: 'static',
        hostnames: 'gw-1:4317, gw-2 ,gw-1:4317,[::1]:4317',
      },
      { static: { hostnames: ['gw-1:4317', 'gw-2', '[::1]:4317'] } },
    ],
  ])('reads %j', (query, expected) => {
    expect(gatewayResolverFromQuery(query)).toEqual(expected);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ resolver: 'k8s' }, 'resolver must be dns or static'],
    [{ resolver: ['dns', 'static'] }, 'resolver must be given once'],
    [{ hostname: 'gw;rm -rf' }, 'hostname must be a DNS name'],
    [{ hostname: 'a'.repeat(300) }, 'hostname must be a DNS name'],
    [{ port: '0' }, 'port must be an integer'],
    [{ port: '4317x' }, 'port must be an integer'],
    [{ port: '70000' }, 'port must be an integer'],
    [{ resolver: 'static' }, 'resolver=static needs hostnames'],
    [{ resolver: 'static', hostnames: ',' }, 'hostnames must list 1 to 256'],
    [
      { resolver: 'static', hostnames: 'gw:4317,http://evil' },
      'is not a host[:port]',
    ],
    [{ resolver: 'static', hostnames: 'gw:99999' }, 'is not a host[:port]'],
    [
      {
        resolver: 'static',
        hostnames: Array.from({ length: 257 }, (_, i) => `g${i}`).join(','),
      },
      'hostnames must list 1 to 256',
    ],
  ])('refuses %j', (query, message) => {
    expect(() => gatewayResolverFromQuery(query)).toThrow(message);
  });
});
