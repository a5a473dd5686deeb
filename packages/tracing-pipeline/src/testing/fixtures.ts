import * as protobuf from 'protobufjs';
import { randomBytes } from 'node:crypto';
import {
  ExportTraceServiceRequest,
  KeyValue,
  ResourceSpans,
  Span,
} from '../otlp/model';
import { ExportTraceServiceRequestCodec } from '../otlp/otlpRoot';

/** Test data builders shared by the stage tests (not exported from the package). */

export const str = (key: string, v: string): KeyValue => ({
  key,
  value: { stringValue: v },
});

export function makeSpan(overrides: Partial<Span> = {}): Span {
  return {
    traceId: randomBytes(16),
    spanId: randomBytes(8),
    name: 'GET /api/orders/{id}',
    kind: 2,
    startTimeUnixNano: 1_700_000_000_000_000_000,
    endTimeUnixNano: 1_700_000_000_100_000_000,
    attributes: [
      str('http.request.method', 'GET'),
      { key: 'http.response.status_code', value: { intValue: 200 } },
    ],
    status: { code: 0 },
    ...overrides,
  };
}

export function makeResourceSpans(
  service: string | undefined,
  spans: Span[],
): ResourceSpans {
  return {
    resource: {
      attributes: service === undefined ? [] : [str('service.name', service)],
    },
    scopeSpans: [{ scope: { name: 'test', version: '1' }, spans }],
  };
}

export function makeRequest(
  services: Record<string, number>,
): ExportTraceServiceRequest {
  return {
    resourceSpans: Object.entries(services).map(([service, n]) =>
      makeResourceSpans(
        service,
        Array.from({ length: n }, () => makeSpan()),
      ),
    ),
  };
}

export function encodeRequest(request: ExportTraceServiceRequest): Buffer {
  return Buffer.from(
    ExportTraceServiceRequestCodec.encode(
      ExportTraceServiceRequestCodec.fromObject(request),
    ).finish(),
  );
}

export async function* chunks(
  ...parts: (Buffer | string)[]
): AsyncIterable<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

/** Waits for a condition with a generous timeout; never asserts how long it took. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Mulberry32: a small seeded PRNG so fuzz runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const StatusType = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));

/** Decodes a google.rpc.Status response body (protobuf or JSON). */
export function decodeStatus(
  body: Buffer,
  contentType: string,
): { code?: number; message?: string } {
  if (contentType.includes('json')) return JSON.parse(body.toString());
  return StatusType.toObject(StatusType.decode(body)) as {
    code?: number;
    message?: string;
  };
}
