#!/usr/bin/env node
/* eslint-disable no-console */
// A real OpenTelemetry JS SDK client for the integration tests, run as a plain Node process: the
// SDK's OTLP exporters load node:http with a dynamic import(), which jest's VM only supports
// behind --experimental-vm-modules.
//
// Usage: node sdk-client.js '{"url":"http://127.0.0.1:PORT/v1/traces","encoding":"protobuf","traces":20}'
// Prints the finished spans as JSON on stdout.
'use strict';

const {
  context,
  trace,
  SpanKind,
  SpanStatusCode,
} = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const {
  NodeTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  InMemorySpanExporter,
} = require('@opentelemetry/sdk-trace-node');
const {
  OTLPTraceExporter: ProtoExporter,
} = require('@opentelemetry/exporter-trace-otlp-proto');
const {
  OTLPTraceExporter: JsonExporter,
} = require('@opentelemetry/exporter-trace-otlp-http');

const SECRETS = {
  authorization: 'Bearer sk_live_51Hsecret0123456789',
  dbPassword: 'hunter2-db-password',
  card: '4111 1111 1111 1111',
};

async function main() {
  const options = JSON.parse(process.argv[2]);
  const recorded = new InMemorySpanExporter();
  const exporterOptions = {
    url: options.url,
    headers: {
      Authorization: `Bearer ${options.token ?? 'test-ingest-token'}`,
    },
    compression: options.compression ?? 'none',
    timeoutMillis: 10_000,
  };
  const makeExporter = () =>
    options.encoding === 'json'
      ? new JsonExporter(exporterOptions)
      : new ProtoExporter(exporterOptions);
  const providers = (options.services ?? ['storefront', 'checkout']).map(
    service =>
      new NodeTracerProvider({
        resource: resourceFromAttributes({
          'service.name': service,
          'service.version': '1.2.3',
        }),
        spanProcessors: [
          new SimpleSpanProcessor(recorded),
          new BatchSpanProcessor(makeExporter(), {
            scheduledDelayMillis: 10,
            maxQueueSize: 100_000,
            maxExportBatchSize: options.batchSize ?? 512,
          }),
        ],
      }),
  );
  const [front, back] = providers.map(p => p.getTracer('sdk-client', '1.0.0'));

  for (let i = 0; i < options.traces; i++) {
    const root = front.startSpan('GET /cart', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/cart',
        'http.response.status_code': 200,
        'http.request.header.authorization': [SECRETS.authorization],
        'app.retry_ratio': 0.25,
        'app.cached': true,
        'app.items': ['a', 'b'],
        'app.iteration': i,
      },
    });
    const child = (back ?? front).startSpan(
      'POST /checkout',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'db.password': SECRETS.dbPassword,
          'payment.note': `card ${SECRETS.card}`,
        },
      },
      trace.setSpan(context.active(), root),
    );
    child.addEvent('exception', { 'exception.message': 'card declined' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
    child.end();
    root.end();
  }
  for (const p of providers) await p.forceFlush();
  const finished = recorded.getFinishedSpans();
  for (const p of providers) await p.shutdown();

  const spans = finished.map(s => ({
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext ? s.parentSpanContext.spanId : '',
    name: s.name,
    service: s.resource.attributes['service.name'],
  }));
  process.stdout.write(
    JSON.stringify({ spans, secrets: Object.values(SECRETS) }),
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
