/** The OTLP traffic of `yarn bench:cluster`: pre-encoded requests, sent round robin. */
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequestCodec } from '@internal/tracing-pipeline';
import type { Backend } from './backendProcess';
import { sleep, TOKEN } from './benchEnv';

const SPANS_PER_REQUEST = 50;

/**
 * What an HTTP server span of the OpenTelemetry semantic conventions carries, in the order the
 * bench adds them (`encodeBodies(attributes)` takes the first N).
 */
const HTTP_ATTRIBUTES = [
  { key: 'http.request.method', value: { stringValue: 'GET' } },
  { key: 'http.response.status_code', value: { intValue: 200 } },
  { key: 'http.route', value: { stringValue: '/orders/{id}' } },
  { key: 'url.path', value: { stringValue: '/orders/8f3c2a' } },
  { key: 'url.scheme', value: { stringValue: 'https' } },
  {
    key: 'server.address',
    value: { stringValue: 'orders.internal.example.com' },
  },
  { key: 'server.port', value: { intValue: 8443 } },
  { key: 'network.protocol.version', value: { stringValue: '1.1' } },
  { key: 'client.address', value: { stringValue: '10.12.4.31' } },
  {
    key: 'user_agent.original',
    value: {
      stringValue: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    },
  },
  { key: 'http.request.body.size', value: { intValue: 0 } },
  { key: 'http.response.body.size', value: { intValue: 1834 } },
];
export const MAX_ATTRIBUTES = HTTP_ATTRIBUTES.length;

/**
 * 4,000 requests of 25 two-span traces (web → api), random trace ids, 200,000 spans in all; each
 * span has the first `attributes` attributes of an HTTP server span.
 */
export function encodeBodies(attributes: number): Buffer[] {
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (traceId: Buffer, parent: Buffer | undefined, name: string) => ({
    traceId,
    spanId: randomBytes(8),
    parentSpanId: parent,
    name,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 12_000_000n),
    attributes: HTTP_ATTRIBUTES.slice(0, attributes),
    status: {},
  });
  const bodies: Buffer[] = [];
  for (let r = 0; r < 4000; r++) {
    const web: any[] = [];
    const api: any[] = [];
    for (let t = 0; t < 25; t++) {
      const traceId = randomBytes(16);
      const rootSpan = span(traceId, undefined, 'GET /order');
      web.push(rootSpan);
      api.push(span(traceId, rootSpan.spanId, 'GET /stock'));
    }
    const resource = (service: string, spans: any[]) => ({
      resource: {
        attributes: [{ key: 'service.name', value: { stringValue: service } }],
      },
      scopeSpans: [{ scope: { name: 'bench' }, spans }],
    });
    bodies.push(
      Buffer.from(
        ExportTraceServiceRequestCodec.encode(
          ExportTraceServiceRequestCodec.fromObject({
            resourceSpans: [
              resource('bench-web', web),
              resource('bench-api', api),
            ],
          }),
        ).finish(),
      ),
    );
  }
  return bodies;
}

/**
 * Sends the bodies round robin over the backends from `connections` loops for `ms`; with
 * `spansPerSecond`, paced to that rate (as far as the backends keep up), else as fast as they answer.
 */
export async function load(
  backends: Backend[],
  bodies: Buffer[],
  ms: number,
  connections: number,
  spansPerSecond?: number,
) {
  const started = Date.now();
  const until = started + ms;
  let next = 0;
  let spans = 0;
  let refused = 0;
  const loop = async () => {
    while (Date.now() < until) {
      const i = next++;
      if (spansPerSecond) {
        const due = started + (i * SPANS_PER_REQUEST * 1000) / spansPerSecond;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const body = bodies[i % bodies.length];
      const res = await fetch(
        `${backends[i % backends.length].url}/api/tracing-health/v1/traces`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/x-protobuf',
          },
          body,
        },
      ).catch(() => undefined);
      await res?.arrayBuffer().catch(() => undefined);
      if (res?.status === 200) spans += SPANS_PER_REQUEST;
      else {
        refused++;
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { spans, refused };
}

/** Median latency of one request at a time (no queueing), round robin over the backends. */
export async function sequentialLatencyMs(
  backends: Backend[],
  bodies: Buffer[],
) {
  const samples: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const res = await fetch(
      `${backends[i % backends.length].url}/api/tracing-health/v1/traces`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/x-protobuf',
        },
        body: bodies[(i * 7919) % bodies.length],
      },
    );
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
