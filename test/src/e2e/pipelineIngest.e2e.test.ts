import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { sdkTracerProvider } from '../otelClient';
import { startOtlpSink } from '../otlpSink';
import { eventually } from '../prometheus';
import { DEV_INGEST_TOKEN, RunningPortal, startPortal } from '../portal';

jest.setTimeout(300_000);

const SECRET_BEARER = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2lnbmF0dXJl';
const SECRET_PASSWORD = 'hunter2-e2e-password';

describe('OTLP ingest through the portal backend to a real sink', () => {
  let portal: RunningPortal;
  let sink: Awaited<ReturnType<typeof startOtlpSink>>;

  beforeAll(async () => {
    sink = await startOtlpSink();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-e2e-pipeline-'));
    const config = path.join(dir, 'app-config.pipeline.yaml');
    fs.writeFileSync(
      config,
      [
        'tracingHealth:',
        '  sampling:',
        '    defaultPolicy:',
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
    );
    portal = await startPortal({ extraConfig: [config] });
  });

  afterAll(async () => {
    await portal?.stop();
    await sink?.close();
  });

  it.each(['protobuf', 'json'] as const)(
    'delivers spans from the OpenTelemetry SDK (%s), intact and redacted',
    async encoding => {
      const serviceName = `e2e-${encoding}`;
      const provider = sdkTracerProvider({ baseUrl: portal.baseUrl, serviceName, encoding });
      const tracer = provider.getTracer('e2e');
      const sent: Array<{ traceId: string; spanId: string; name: string }> = [];
      for (let i = 0; i < 5; i++) {
        const root = tracer.startSpan(`GET /orders/${i}`, {
          attributes: {
            'http.request.header.authorization': SECRET_BEARER,
            'db.password': SECRET_PASSWORD,
            'order.id': i,
          },
        });
        const child = tracer.startSpan(
          'SELECT orders',
          {},
          trace.setSpan(context.active(), root),
        );
        if (i === 3) child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
        child.end();
        root.end();
        for (const s of [root, child]) {
          sent.push({
            traceId: s.spanContext().traceId,
            spanId: s.spanContext().spanId,
            name: (s as any).name,
          });
        }
      }
      await provider.forceFlush();
      await provider.shutdown();

      const received = await eventually(
        async () => {
          const mine = sink.spans.filter(s => s.service === serviceName);
          return mine.length >= sent.length ? mine : undefined;
        },
        { what: `${sent.length} spans of ${serviceName} at the sink` },
      );
      for (const s of sent) {
        const match = received.find(r => r.spanId === s.spanId);
        expect(match).toBeDefined();
        expect(match!.traceId).toBe(s.traceId);
        expect(match!.name).toBe(s.name);
      }
      const root = received.find(r => r.name === 'GET /orders/2')!;
      expect(root.attributes['order.id']).toBe(2);
      expect(root.attributes['http.request.header.authorization']).not.toBe(SECRET_BEARER);
      const bytes = sink.rawBytes().toString('latin1');
      expect(bytes).not.toContain('hunter2');
      expect(bytes).not.toContain('eyJzdWIiOiJlMmUifQ');

      const metrics = await (await fetch(`${portal.baseUrl}/api/tracing-health/metrics`)).text();
      expect(metrics).not.toContain('hunter2');
      expect(metrics).toContain('tracing_health_pipeline_spans_received_total');
      expect(portal.logs()).not.toContain('hunter2');
    },
  );

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
      ['truncated protobuf', 'application/x-protobuf', Buffer.from([0x0a, 0xff, 0x01])],
      ['wrong JSON types', 'application/json', '{"resourceSpans": 42}'],
      ['not JSON', 'application/json', '{"resourceSpans": ['],
      ['unknown content type', 'text/plain', 'hello'],
    ];
    for (const [what, contentType, body] of cases) {
      const res = await fetch(`${portal.baseUrl}/api/tracing-health/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${DEV_INGEST_TOKEN}` },
        body,
      });
      expect({ what, status: res.status >= 400 && res.status < 500 }).toEqual({ what, status: true });
      expect((await res.text()).length).toBeGreaterThan(0);
    }
  });
});
