#!/usr/bin/env node
/* eslint-disable no-console */
// Demo traffic for the embedded default: realistic multi-service traces for the example
// catalog's opted-in services, sent with the real OpenTelemetry JS SDK (one tracer provider per
// service, W3C trace context propagated between them), with errors, slow requests and
// secrets the sanitizer must redact, plus one service.name no catalog component claims.
// For the service graph: billing does not extract the trace context (its spans start new traces:
// broken propagation on checkout → billing), payments-api calls fraud-detection, a catalog
// component that sends no spans (a virtual node), and orders queries its PostgreSQL database.
//
// Env: TRACING_HEALTH_OTLP_ENDPOINT (default http://127.0.0.1:7007/api/tracing-health/v1/traces),
// TRACING_HEALTH_INGEST_TOKEN (default: the embedded default's dev token),
// DEMO_TRACES_PER_SECOND (default 5), DEMO_DURATION_SECONDS (default: until stopped),
// DEMO_GIVE_UP_SECONDS (default 30): once the portal has taken spans, how long it may be
// unreachable before this script stops (the portal was stopped). Until the portal first answers
// it keeps trying. Failed exports are retried by the SDK and reported in one line per outage.
'use strict';

const {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} = require('@opentelemetry/api');
const {
  ExportResultCode,
  W3CTraceContextPropagator,
} = require('@opentelemetry/core');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const {
  BatchSpanProcessor,
  NodeTracerProvider,
} = require('@opentelemetry/sdk-trace-node');
const {
  OTLPTraceExporter,
} = require('@opentelemetry/exporter-trace-otlp-proto');

const endpoint =
  process.env.TRACING_HEALTH_OTLP_ENDPOINT ??
  'http://127.0.0.1:7007/api/tracing-health/v1/traces';
const token =
  process.env.TRACING_HEALTH_INGEST_TOKEN || 'tracing-health-dev-ingest-token';
const tracesPerSecond = Number(process.env.DEMO_TRACES_PER_SECOND ?? 5);
const durationSeconds = process.env.DEMO_DURATION_SECONDS
  ? Number(process.env.DEMO_DURATION_SECONDS)
  : undefined;
const giveUpMs = Number(process.env.DEMO_GIVE_UP_SECONDS ?? 30) * 1000;

// service.name values of the example catalog's opted-in components (examples/entities.yaml),
// except `shipping`, which stays silent on purpose; `legacy-cron` is claimed by no component.
const SERVICES = [
  'storefront',
  'auth-gateway',
  'checkout',
  'payments-api',
  'billing',
  'catalog-api',
  'search',
  'orders',
  'inventory-svc',
  'legacy-cron',
];

const propagator = new W3CTraceContextPropagator();
const carrierSetter = { set: (carrier, key, value) => (carrier[key] = value) };
const carrierGetter = {
  get: (carrier, key) => carrier[key],
  keys: carrier => Object.keys(carrier),
};

// Export outcomes, watched so that an unreachable portal is one line, not a stack per batch.
let delivered = false;
let failingSince;
let stopping = false;

function describeFailure(error) {
  if (!error) return 'export failed';
  if (error.code && typeof error.code === 'string') return error.code;
  if (error.code) return `HTTP ${error.code}`;
  return String(error.message ?? error)
    .split('\n')[0]
    .slice(0, 200);
}

function observeExport(result) {
  if (result.code === ExportResultCode.SUCCESS) {
    if (failingSince !== undefined)
      console.log('demo traffic: the portal takes spans again');
    failingSince = undefined;
    delivered = true;
    return;
  }
  if (failingSince === undefined) {
    failingSince = Date.now();
    console.log(
      `demo traffic: spans not delivered (${describeFailure(result.error)}); ${
        delivered ? 'the portal may be stopping' : 'waiting for the portal'
      }, retrying quietly`,
    );
  }
}

/** The OTLP exporter, with each export's outcome reported to observeExport. */
function observedExporter(inner) {
  return {
    export(spans, done) {
      inner.export(spans, result => {
        observeExport(result);
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () =>
      inner.forceFlush ? inner.forceFlush() : Promise.resolve(),
  };
}

const providers = new Map(
  SERVICES.map(service => [
    service,
    new NodeTracerProvider({
      resource: resourceFromAttributes({
        'service.name': service,
        'service.version': '1.4.2',
        'deployment.environment.name': 'demo',
      }),
      spanProcessors: [
        new BatchSpanProcessor(
          observedExporter(
            new OTLPTraceExporter({
              url: endpoint,
              headers: { Authorization: `Bearer ${token}` },
            }),
          ),
          {
            scheduledDelayMillis: 500,
            maxQueueSize: 20_000,
            maxExportBatchSize: 512,
          },
        ),
      ],
    }),
  ]),
);
const tracers = new Map(
  [...providers].map(([s, p]) => [s, p.getTracer('demo-traffic', '1.0.0')]),
);

const chance = p => Math.random() < p;
const pick = items => items[Math.floor(Math.random() * items.length)];
const nowMs = () => Date.now();

/**
 * One server span in `service` with a client span per downstream call; times are set
 * explicitly so slow requests need no real waiting. Returns the span's end time.
 */
function serve(service, name, parentHeaders, startMs, plan) {
  const tracer = tracers.get(service);
  // A service that drops the context: its framework is not instrumented, it starts a new trace.
  const parentContext =
    parentHeaders && !plan.dropsContext
      ? propagator.extract(ROOT_CONTEXT, parentHeaders, carrierGetter)
      : ROOT_CONTEXT;
  const span = tracer.startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      startTime: startMs,
      attributes: {
        'http.request.method': name.split(' ')[0],
        'http.route': name.split(' ')[1] ?? '/',
        'url.scheme': 'http',
        ...(plan.secret
          ? {
              'http.request.header.authorization': [
                'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.demo-signature',
              ],
              'db.password': 'demo-secret-password',
            }
          : {}),
      },
    },
    parentContext,
  );
  let cursor = startMs + 1 + Math.random() * 3;
  for (const call of plan.calls ?? []) {
    const spanContext = trace.setSpan(parentContext, span);
    if (call.untraced) {
      // A dependency that sends no spans: only the client span exists.
      const client = tracer.startSpan(
        call.name,
        { kind: SpanKind.CLIENT, startTime: cursor, attributes: call.untraced },
        spanContext,
      );
      const end = cursor + 1 + Math.random() * 15;
      client.end(end);
      cursor = end + 1;
      continue;
    }
    const client = tracer.startSpan(
      `${call.name.split(' ')[0]}`,
      {
        kind: SpanKind.CLIENT,
        startTime: cursor,
        attributes: { 'server.address': call.service },
      },
      spanContext,
    );
    const headers = {};
    propagator.inject(
      trace.setSpan(parentContext, client),
      headers,
      carrierSetter,
    );
    const end = serve(call.service, call.name, headers, cursor + 0.5, call);
    client.end(end + 0.5);
    cursor = end + 1;
  }
  const own = plan.slow
    ? 5_500 + Math.random() * 2_000
    : 2 + Math.random() * 40;
  const end = cursor + own;
  if (plan.error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failure' });
    span.addEvent('exception', {
      'exception.type': 'Error',
      'exception.message': 'upstream failure',
    });
  }
  span.setAttribute('http.response.status_code', plan.error ? 500 : 200);
  span.end(end);
  return end;
}

function checkoutFlow() {
  const error = chance(0.04);
  const slow = chance(0.02);
  return {
    secret: chance(0.2),
    calls: [
      { service: 'auth-gateway', name: 'POST /authorize', calls: [] },
      {
        service: 'checkout',
        name: 'POST /checkout',
        slow,
        calls: [
          {
            service: 'payments-api',
            name: 'POST /payments',
            error,
            secret: chance(0.3),
            calls: [
              {
                name: 'POST /score',
                untraced: {
                  'server.address': 'fraud-detection',
                  'server.port': 8080,
                  'http.request.method': 'POST',
                },
              },
            ],
          },
          {
            service: 'orders',
            name: 'POST /orders',
            calls: [
              {
                service: 'inventory-svc',
                name: 'PUT /reservations',
                calls: [],
              },
              {
                name: 'INSERT orders',
                untraced: {
                  'db.system.name': 'postgresql',
                  'db.namespace': 'orders',
                  'db.operation.name': 'INSERT',
                },
              },
            ],
          },
          {
            service: 'billing',
            name: 'POST /invoices',
            dropsContext: true,
            calls: [],
          },
        ],
      },
    ],
  };
}

function browseFlow() {
  return {
    calls: [
      {
        service: 'catalog-api',
        name: 'GET /products',
        error: chance(0.01),
        calls: [
          {
            service: 'search',
            name: 'GET /search',
            slow: chance(0.01),
            calls: [],
          },
        ],
      },
    ],
  };
}

let sent = 0;
function sendOneTrace() {
  const start = nowMs() - 50;
  if (chance(0.05)) {
    serve('legacy-cron', 'POST /nightly-export', undefined, start, {
      calls: [],
    });
  } else if (chance(0.3)) {
    serve(
      'storefront',
      'POST /cart/checkout',
      undefined,
      start,
      checkoutFlow(),
    );
  } else {
    serve(
      'storefront',
      pick(['GET /', 'GET /products', 'GET /product/:id']),
      undefined,
      start,
      browseFlow(),
    );
  }
  sent++;
}

const tickMs = 100;
let debt = 0;
const timer = setInterval(() => {
  if (
    delivered &&
    failingSince !== undefined &&
    Date.now() - failingSince > giveUpMs
  ) {
    console.log(
      `demo traffic: the portal has not taken spans for ${Math.round(
        (Date.now() - failingSince) / 1000,
      )} s; it was stopped, so this stops too`,
    );
    stop();
    return;
  }
  debt += (tracesPerSecond * tickMs) / 1000;
  while (debt >= 1) {
    sendOneTrace();
    debt--;
  }
}, tickMs);

/**
 * Flushes what the SDK holds (at most 5 s; a portal that is gone loses it) and exits 0: stopping
 * the demo, or the portal going away, is not an error.
 */
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await Promise.race([
    Promise.allSettled([...providers.values()].map(p => p.shutdown())),
    new Promise(resolve => setTimeout(resolve, 5_000).unref()),
  ]);
  console.log(`demo traffic: sent ${sent} traces to ${endpoint}`);
  process.exit(0);
}

console.log(`demo traffic: ${tracesPerSecond} traces/s to ${endpoint}`);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (durationSeconds !== undefined) {
  setTimeout(stop, durationSeconds * 1000);
}
