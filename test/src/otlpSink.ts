import http from 'node:http';
import zlib from 'node:zlib';
import { AddressInfo } from 'node:net';
import { ExportTraceServiceRequestCodec } from '@internal/tracing-pipeline/src/otlpRoot';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  statusCode: number;
}

/**
 * A real OTLP/HTTP protobuf sink: decodes every request with the same OTLP schema package the
 * pipeline uses, keeps the raw bytes (to search for leaked secrets) and the decoded spans.
 * `respondWith` lets a test make it fail (e.g. 503 + Retry-After).
 */
export async function startOtlpSink() {
  const rawBodies: Buffer[] = [];
  const spans: ReceivedSpan[] = [];
  let respondWith: (() => { status: number; headers?: Record<string, string> }) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const override = respondWith?.();
      if (override && override.status !== 200) {
        res.writeHead(override.status, override.headers ?? {});
        res.end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      rawBodies.push(body);
      const decoded = ExportTraceServiceRequestCodec.decode(body);
      for (const rs of decoded.resourceSpans ?? []) {
        const service = String(
          rs.resource?.attributes?.find(a => a.key === 'service.name')?.value?.stringValue ?? '',
        );
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes: Record<string, unknown> = {};
            for (const a of s.attributes ?? []) {
              const v = a.value ?? {};
              attributes[a.key ?? ''] =
                v.stringValue ?? v.boolValue ?? v.doubleValue ??
                (v.intValue !== undefined && v.intValue !== null ? Number(v.intValue) : undefined);
            }
            spans.push({
              service,
              traceId: Buffer.from(s.traceId ?? []).toString('hex'),
              spanId: Buffer.from(s.spanId ?? []).toString('hex'),
              parentSpanId: Buffer.from(s.parentSpanId ?? []).toString('hex'),
              name: s.name ?? '',
              attributes,
              statusCode: s.status?.code ?? 0,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    rawBytes: () => Buffer.concat(rawBodies),
    setResponse(fn: typeof respondWith) {
      respondWith = fn;
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
