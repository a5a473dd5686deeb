import { PIPELINE_METRICS } from '@internal/tracing-model';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AnyValue, bytesToHex, isPresent } from './otlp/model';
import { createPipeline, Pipeline } from './pipeline';
import { waitFor } from './testing/fixtures';
import { OtlpSink } from './testing/otlpSink';
import { startPipelineServer } from './testing/pipelineServer';
import { runSdkClient, SdkClientOptions } from './testing/sdkClient';

function attributeValue(v: AnyValue | null | undefined): unknown {
  if (!v) return undefined;
  if (isPresent(v.stringValue)) return v.stringValue;
  if (isPresent(v.boolValue)) return v.boolValue;
  if (isPresent(v.intValue)) return Number(v.intValue);
  if (isPresent(v.doubleValue)) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(attributeValue);
  return undefined;
}

jest.setTimeout(60_000);

describe('the pipeline with real OpenTelemetry SDK clients', () => {
  let sink: OtlpSink;
  let pipeline: Pipeline;
  let server: Awaited<ReturnType<typeof startPipelineServer>>;
  let registry: Registry;
  let dir: string;

  beforeEach(async () => {
    sink = await new OtlpSink().start();
    dir = await mkdtemp(join(tmpdir(), 'th-integration-'));
    registry = new Registry();
    pipeline = createPipeline({
      config: {
        batch: { timeoutMs: 20 },
        exporters: [{ name: 'sink', endpoint: sink.url }],
        fallback: { path: join(dir, 'fallback.jsonl') },
      },
      registry,
    });
    await pipeline.start();
    server = await startPipelineServer(pipeline);
  });

  afterEach(async () => {
    await server.close();
    await pipeline.shutdown();
    await sink.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each<[string, Omit<SdkClientOptions, 'url' | 'traces'>]>([
    ['protobuf (exporter-trace-otlp-proto)', { encoding: 'protobuf' }],
    ['JSON (exporter-trace-otlp-http)', { encoding: 'json' }],
    ['gzip protobuf', { encoding: 'protobuf', compression: 'gzip' }],
    ['gzip JSON', { encoding: 'json', compression: 'gzip' }],
  ])('%s: spans arrive intact and without secrets', async (_name, client) => {
    const { spans: finished, secrets } = await runSdkClient({
      ...client,
      url: server.url,
      traces: 20,
    });
    expect(finished).toHaveLength(40);
    await waitFor(() => sink.spans().length === 40, '40 spans at the sink');

    const exported = new Map(sink.spans().map(s => [bytesToHex(s.spanId), s]));
    // Each exported span keeps its identity; returns it with its attributes as plain values.
    const exportedIntact = (span: (typeof finished)[number]) => {
      const out = exported.get(span.spanId)!;
      expect(out).toBeDefined();
      expect(bytesToHex(out.traceId)).toBe(span.traceId);
      expect(bytesToHex(out.parentSpanId)).toBe(span.parentSpanId);
      expect(out.name).toBe(span.name);
      const attrs = Object.fromEntries(
        out.attributes!.map(a => [a.key, attributeValue(a.value)]),
      );
      return { out, attrs };
    };
    const roots = finished.filter(span => span.name === 'GET /cart');
    const children = finished.filter(span => span.name !== 'GET /cart');
    expect(roots).toHaveLength(20);
    expect(children).toHaveLength(20);
    for (const span of roots) {
      const { attrs } = exportedIntact(span);
      expect(attrs).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'app.retry_ratio': 0.25,
        'app.cached': true,
        'app.items': ['a', 'b'],
        'http.request.header.authorization': '****',
        'tracing_health.redacted_count': 1,
      });
    }
    for (const span of children) {
      const { out, attrs } = exportedIntact(span);
      expect(attrs).toMatchObject({
        'db.password': '****',
        'payment.note': 'card ****',
        'tracing_health.redacted_count': 2,
      });
      expect(out.status).toMatchObject({ code: 2, message: 'declined' });
      expect(out.events![0].name).toBe('exception');
    }
    const services = sink.requests.flatMap(r =>
      r.resourceSpans!.map(
        rs =>
          rs.resource!.attributes!.find(a => a.key === 'service.name')!.value!
            .stringValue,
      ),
    );
    expect(new Set(services)).toEqual(new Set(['storefront', 'checkout']));

    const sinkBytes = Buffer.concat(sink.rawBodies);
    const metricsText = await registry.metrics();
    for (const secret of secrets) {
      expect(sinkBytes.includes(secret)).toBe(false);
      expect(metricsText.includes(secret)).toBe(false);
    }
    await waitFor(
      () => pipeline.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    expect(pipeline.accounting.snapshot()).toMatchObject({
      received: 40,
      exported: 40,
      dropped: 0,
      refused: 0,
      balanced: true,
    });
    expect(metricsText).toContain(
      `${PIPELINE_METRICS.redactions}{action="mask",location="span"} 60`,
    );
  });

  it('writes redacted OTLP JSON to the fallback file when the backend stays down', async () => {
    await sink.stop();
    await server.close();
    await pipeline.shutdown();
    pipeline = createPipeline({
      config: {
        batch: { timeoutMs: 20 },
        exporters: [
          {
            name: 'sink',
            endpoint: sink.url,
            retry: {
              initialIntervalMs: 5,
              maxIntervalMs: 10,
              maxElapsedMs: 50,
            },
          },
        ],
        fallback: { path: join(dir, 'fallback.jsonl') },
      },
      registry,
    });
    server = await startPipelineServer(pipeline);
    const { secrets } = await runSdkClient({
      url: server.url,
      encoding: 'protobuf',
      traces: 5,
    });
    await waitFor(
      () => pipeline.accounting.snapshot().exported === 10,
      'fallback export',
    );
    await pipeline.shutdown();
    const text = await readFile(join(dir, 'fallback.jsonl'), 'utf8');
    const spans = text
      .trim()
      .split('\n')
      .flatMap(line =>
        JSON.parse(line).resourceSpans.flatMap((rs: any) =>
          rs.scopeSpans.flatMap((ss: any) => ss.spans),
        ),
      );
    expect(spans).toHaveLength(10);
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    expect(await registry.metrics()).toContain(
      `${PIPELINE_METRICS.spansExported}{exporter="fallback"} 10`,
    );
  });
});
