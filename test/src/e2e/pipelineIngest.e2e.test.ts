import { runSdkClient } from '@internal/tracing-pipeline/src/testing/sdkClient';
import { startOtlpSink } from '../otlpSink';
import { eventually } from '../prometheus';
import {
  DEV_INGEST_TOKEN,
  metricTotal,
  pipelineSettled,
  RunningPortal,
  startPortal,
} from '../portal';

jest.setTimeout(300_000);

describe('OTLP ingest through the portal backend to a real sink', () => {
  let portal: RunningPortal;
  let sink: Awaited<ReturnType<typeof startOtlpSink>>;

  beforeAll(async () => {
    sink = await startOtlpSink();
    portal = await startPortal({
      configYaml: [
        'tracingHealth:',
        '  sampling:',
        '    default:',
        '      strategy: { type: probabilistic, rate: 1 }',
        '    tiers:',
        '      standard: { strategy: { type: probabilistic, rate: 1 } }',
        '  pipeline:',
        '    batch: { sendBatchSize: 10, timeoutMs: 100 }',
        '    exporters:',
        `      - name: sink`,
        `        endpoint: ${sink.endpoint}`,
        '',
      ].join('\n'),
    });
  });

  afterAll(async () => {
    await portal?.stop();
    await sink?.close();
  });

  it.each([
    ['protobuf', 'none'],
    ['json', 'none'],
    ['protobuf', 'gzip'],
  ] as const)(
    'delivers spans from the OpenTelemetry SDK (%s, %s compression) intact and redacted',
    async (encoding, compression) => {
      const services = [
        `e2e-${encoding}-${compression}-front`,
        `e2e-${encoding}-${compression}-back`,
      ];
      const sent = await runSdkClient({
        url: `${portal.baseUrl}/api/tracing-health/v1/traces`,
        token: DEV_INGEST_TOKEN,
        encoding,
        compression,
        traces: 20,
        services,
      });
      expect(sent.spans.length).toBe(40);

      const received = await eventually(
        async () => {
          const mine = sink.spans.filter(s => services.includes(s.service));
          return mine.length >= sent.spans.length ? mine : undefined;
        },
        { what: `${sent.spans.length} spans of ${services} at the sink` },
      );
      expect(received).toHaveLength(sent.spans.length);
      for (const s of sent.spans) {
        const match = received.find(r => r.spanId === s.spanId);
        expect(match).toMatchObject({
          traceId: s.traceId,
          parentSpanId: s.parentSpanId,
          name: s.name,
          service: s.service,
        });
      }
      const root = received.find(r => r.name === 'GET /cart')!;
      expect(root.attributes['http.route']).toBe('/cart');
      expect(root.attributes['app.cached']).toBe(true);

      const sinkBytes = sink.rawBytes().toString('latin1');
      const metrics = await (
        await fetch(`${portal.baseUrl}/api/tracing-health/metrics`)
      ).text();
      for (const secret of sent.secrets) {
        expect(sinkBytes).not.toContain(secret);
        expect(metrics).not.toContain(secret);
        expect(portal.logs()).not.toContain(secret);
      }
    },
  );

  it('accounts for every span in /metrics', async () => {
    const received = await metricTotal(
      portal.baseUrl,
      'tracing_health_pipeline_spans_received_total',
    );
    expect(received).toBeGreaterThanOrEqual(120);
    // Everything received was exported, dropped or refused once the pipeline is idle.
    await eventually(async () => pipelineSettled(portal.baseUrl, received), {
      what: 'received = exported + dropped + refused',
      timeoutMs: 30_000,
    });
  });

  it('refuses OTLP without the ingest token', async () => {
    const res = await fetch(`${portal.baseUrl}/api/tracing-health/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(res.status).toBe(401);
  });

  it('answers malformed payloads with a 4xx and a message, never a 5xx', async () => {
    const cases: Array<[string, string, Buffer | string]> = [
      [
        'truncated protobuf',
        'application/x-protobuf',
        Buffer.from([0x0a, 0xff, 0x01]),
      ],
      ['wrong JSON types', 'application/json', '{"resourceSpans": 42}'],
      ['not JSON', 'application/json', '{"resourceSpans": ['],
      ['unknown content type', 'text/plain', 'hello'],
    ];
    for (const [what, contentType, body] of cases) {
      const res = await fetch(
        `${portal.baseUrl}/api/tracing-health/v1/traces`,
        {
          method: 'POST',
          headers: {
            'content-type': contentType,
            authorization: `Bearer ${DEV_INGEST_TOKEN}`,
          },
          body,
        },
      );
      expect({ what, status: res.status >= 400 && res.status < 500 }).toEqual({
        what,
        status: true,
      });
      expect((await res.text()).length).toBeGreaterThan(0);
    }
  });
});
