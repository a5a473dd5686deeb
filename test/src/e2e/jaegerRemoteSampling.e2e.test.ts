import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { eventually } from '../prometheus';
import {
  guestTokenOwning,
  RunningPortal,
  startPortal,
  waitForCatalog,
} from '../portal';

jest.setTimeout(300_000);

/**
 * The SDK side of the sampling control plane: the real `@opentelemetry/sampler-jaeger-remote`
 * polls the portal's Jaeger remote-sampling endpoint and picks up a rate an owner changed
 * through the REST API.
 */
describe('Jaeger remote sampling with the real OpenTelemetry sampler', () => {
  let portal: RunningPortal;

  beforeAll(async () => {
    portal = await startPortal();
    await waitForCatalog(portal.baseUrl);
  });

  afterAll(async () => {
    await portal?.stop();
  });

  function sdkFor(serviceName: string) {
    const sampler = new JaegerRemoteSampler({
      endpoint: `${portal.baseUrl}/api/tracing-health`,
      serviceName,
      poolingInterval: 200,
      initialSampler: new AlwaysOnSampler(),
    });
    const recorded = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      sampler,
      spanProcessors: [new SimpleSpanProcessor(recorded)],
    });
    const tracer = provider.getTracer('e2e');
    /** Starts `n` root spans and returns the share the sampler recorded. */
    const keptShare = (n: number) => {
      recorded.reset();
      for (let i = 0; i < n; i++)
        tracer.startSpan(`GET /orders/${i % 7}`).end();
      return recorded.getFinishedSpans().length / n;
    };
    return { keptShare, shutdown: () => provider.shutdown() };
  }

  it('serves the Jaeger api_v2 shape for known and unknown services', async () => {
    const known = await (
      await fetch(
        `${portal.baseUrl}/api/tracing-health/sampling?service=orders`,
      )
    ).json();
    expect(known).toMatchObject({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: expect.any(Number) },
    });
    const unknown = await fetch(
      `${portal.baseUrl}/api/tracing-health/sampling?service=no-such-service`,
    );
    expect(unknown.status).toBe(200);
    expect((await unknown.json()).strategyType).toBe('PROBABILISTIC');
  });

  it('records spans at the rate an owner set through the REST API', async () => {
    const token = await guestTokenOwning();
    const res = await fetch(
      `${portal.baseUrl}/api/tracing-health/policies/orders`,
      {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          reason: 'e2e: SDKs sample orders at 30% themselves',
          policy: {
            strategy: { type: 'probabilistic', rate: 0.3 },
            samplingLocation: 'sdk',
          },
        }),
      },
    );
    expect(res.status).toBe(200);

    const served = await (
      await fetch(
        `${portal.baseUrl}/api/tracing-health/sampling?service=orders`,
      )
    ).json();
    expect(served.probabilisticSampling.samplingRate).toBeCloseTo(0.3);

    const sdk = sdkFor('orders');
    try {
      // The sampler starts always-on and switches once it has fetched the strategy.
      await eventually(async () => sdk.keptShare(500) < 0.6 || undefined, {
        what: 'the remote sampler to apply the portal strategy',
        intervalMs: 300,
      });
      const n = 8000;
      const share = sdk.keptShare(n);
      const sigma = Math.sqrt((0.3 * 0.7) / n);
      expect(Math.abs(share - 0.3)).toBeLessThan(5 * sigma);
    } finally {
      await sdk.shutdown();
    }

    const history = await (
      await fetch(
        `${portal.baseUrl}/api/tracing-health/policies/orders/history`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      )
    ).json();
    expect(JSON.stringify(history)).toContain(
      'e2e: SDKs sample orders at 30% themselves',
    );
  });

  it('refuses a non-owner with 403 and records nothing', async () => {
    const token = await guestTokenOwning();
    const res = await fetch(
      `${portal.baseUrl}/api/tracing-health/policies/checkout`,
      {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          reason: 'not mine',
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
        }),
      },
    );
    expect(res.status).toBe(403);
  });
});
