import { PIPELINE_METRICS } from '@internal/tracing-model';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { PipelineConfigInput } from './config';
import { createPipeline, Pipeline } from './pipeline';
import {
  chunks,
  decodeStatus,
  encodeRequest,
  makeRequest,
  seededRandom,
  waitFor,
} from './testing/fixtures';
import { OtlpSink } from './testing/otlpSink';
import { startPipelineServer } from './testing/pipelineServer';
import { runSdkClient } from './testing/sdkClient';

jest.setTimeout(120_000);

type Server = Awaited<ReturnType<typeof startPipelineServer>>;

const fastRetries = {
  initialIntervalMs: 10,
  maxIntervalMs: 100,
  maxElapsedMs: 600_000,
};

describe('pipeline resilience', () => {
  let sink: OtlpSink;
  let dir: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    sink = await new OtlpSink().start();
    dir = await mkdtemp(join(tmpdir(), 'th-resilience-'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await sink.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(
    config: PipelineConfigInput,
    registry = new Registry(),
  ): Promise<{ pipeline: Pipeline; server: Server; registry: Registry }> {
    const pipeline = createPipeline({
      config: { batch: { timeoutMs: 10 }, shutdownTimeoutMs: 1000, ...config },
      registry,
    });
    await pipeline.start();
    const server = await startPipelineServer(pipeline);
    cleanups.push(
      () => pipeline.shutdown(),
      () => server.close(),
    );
    return { pipeline, server, registry };
  }

  it('loses no span through 503 + Retry-After, connection refused and recovery', async () => {
    sink.reply = () => ({ status: 503, headers: { 'retry-after': '1' } });
    const { pipeline, server, registry } = await start({
      exporters: [
        {
          name: 'sink',
          endpoint: sink.url,
          retry: fastRetries,
          queueSize: 1000,
        },
      ],
    });

    const first = await runSdkClient({
      url: server.url,
      encoding: 'protobuf',
      traces: 50,
    });
    await waitFor(() => sink.attempts >= 2, 'the backend to refuse twice');

    await sink.stop();
    const second = await runSdkClient({
      url: server.url,
      encoding: 'json',
      traces: 50,
    });
    await waitFor(
      async () => (await registry.metrics()).includes('outcome="network"'),
      'connection refused attempts',
    );
    expect(sink.spans()).toHaveLength(0);

    sink.reply = () => ({ status: 200 });
    await sink.start();
    const sent = [...first.spans, ...second.spans].map(s => s.spanId);
    await waitFor(
      () => sent.every(id => sink.spanIds().has(id)),
      'all 200 spans at the recovered backend',
      60_000,
    );
    await waitFor(
      () => pipeline.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    expect(pipeline.accounting.snapshot()).toMatchObject({
      received: 200,
      exported: 200,
      dropped: 0,
      balanced: true,
    });
  });

  it('keeps queued batches on disk across a pipeline restart', async () => {
    await sink.stop();
    const queueDir = join(dir, 'queue');
    const config: PipelineConfigInput = {
      exporters: [
        {
          name: 'sink',
          endpoint: sink.url,
          retry: fastRetries,
          persistentQueueDir: queueDir,
        },
      ],
      shutdownTimeoutMs: 200,
    };
    const first = await start(config);
    const { spans } = await runSdkClient({
      url: first.server.url,
      encoding: 'protobuf',
      traces: 30,
    });
    const persistedSpans = async () =>
      (await readdir(queueDir))
        .filter(f => f.endsWith('.gz'))
        .reduce((n, f) => n + Number(f.split('-')[2].split('.')[0]), 0);
    await waitFor(
      async () => (await persistedSpans()) === 60,
      '60 spans on disk',
    );
    await first.server.close();
    await first.pipeline.shutdown();
    expect(first.pipeline.accounting.snapshot()).toMatchObject({
      received: 60,
      exported: 0,
      dropped: 0,
      inFlight: 60,
      balanced: true,
    });
    expect(await persistedSpans()).toBe(60);

    await sink.start();
    const second = await start(config);
    await waitFor(
      () => spans.every(s => sink.spanIds().has(s.spanId)),
      'persisted spans exported after the restart',
    );
    await waitFor(
      async () => (await readdir(queueDir)).length === 0,
      'queue files removed',
    );
    await waitFor(
      () => second.pipeline.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    expect(second.pipeline.accounting.snapshot()).toMatchObject({
      received: 0,
      restored: 60,
      exported: 60,
      balanced: true,
    });
  });

  it('refuses overload with 429/503 + Retry-After, never holds more than the hard limit, and recovers', async () => {
    sink.reply = () => ({ status: 503 });
    const hardLimitBytes = 200_000;
    const hardLimitSpans = 2_000;
    const { pipeline, server } = await start({
      memory: {
        softLimitBytes: 150_000,
        hardLimitBytes,
        softLimitSpans: 1_500,
        hardLimitSpans,
        retryAfterSeconds: 1,
      },
      exporters: [{ name: 'sink', endpoint: sink.url, retry: fastRetries }],
    });
    let peak = { spans: 0, bytes: 0 };
    const sample = () => {
      const u = pipeline.memoryUsage();
      peak = {
        spans: Math.max(peak.spans, u.spans),
        bytes: Math.max(peak.bytes, u.bytes),
      };
    };
    pipeline.onSpans(sample);
    const sampler = setInterval(sample, 1);
    cleanups.push(async () => clearInterval(sampler));

    const bodies = Array.from({ length: 20 }, () =>
      encodeRequest(makeRequest({ a: 15, b: 10 })),
    );
    const responses: { status: number; retryAfter: string | null }[] = [];
    for (let wave = 0; wave < 15; wave++) {
      const wave_ = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' },
            body: bodies[i],
          }).then(async r => {
            await r.arrayBuffer();
            return {
              status: r.status,
              retryAfter: r.headers.get('retry-after'),
            };
          }),
        ),
      );
      responses.push(...wave_);
    }
    const statuses = new Set(responses.map(r => r.status));
    expect([...statuses].every(s => [200, 429, 503].includes(s))).toBe(true);
    expect(responses.filter(r => r.status !== 200).length).toBeGreaterThan(0);
    expect(
      responses.filter(r => r.status !== 200).every(r => r.retryAfter === '1'),
    ).toBe(true);
    expect(peak.bytes).toBeGreaterThan(0);
    expect(peak.bytes).toBeLessThanOrEqual(hardLimitBytes);
    expect(peak.spans).toBeLessThanOrEqual(hardLimitSpans);

    sink.reply = () => ({ status: 200 });
    await waitFor(
      () => pipeline.memoryUsage().spans === 0,
      'the backlog to drain',
    );
    const after = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: bodies[0],
    });
    expect(after.status).toBe(200);
    await waitFor(
      () => pipeline.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    const snapshot = pipeline.accounting.snapshot();
    expect(snapshot).toMatchObject({ dropped: 0, balanced: true });
    expect(snapshot.exported).toBe(snapshot.accepted);
    expect(sink.spans()).toHaveLength(snapshot.accepted);
    expect(snapshot.refusedByReason.memory_limit ?? 0).toBe(
      snapshot.received - snapshot.accepted,
    );
  });

  describe('bad input over HTTP', () => {
    const valid = encodeRequest(makeRequest({ a: 3 }));
    const validJson = JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'x' } }],
          },
          scopeSpans: [
            { spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) }] },
          ],
        },
      ],
    });

    it.each<[string, Record<string, string>, Buffer | string, number]>([
      [
        'truncated protobuf',
        { 'content-type': 'application/x-protobuf' },
        valid.subarray(0, valid.length - 3),
        400,
      ],
      [
        'wrong JSON types',
        { 'content-type': 'application/json' },
        '{"resourceSpans":[{"resource":{"attributes":"x"}}]}',
        400,
      ],
      [
        'invalid hex ids',
        { 'content-type': 'application/json' },
        validJson.replace('ab'.repeat(16), 'xyz'),
        400,
      ],
      [
        'JSON that is not JSON',
        { 'content-type': 'application/json' },
        'not json',
        400,
      ],
      [
        'gzip bomb',
        {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
        },
        gzipSync(Buffer.alloc(8 * 1024 * 1024)),
        413,
      ],
      [
        'oversize body',
        { 'content-type': 'application/x-protobuf' },
        Buffer.alloc(2 * 1024 * 1024),
        413,
      ],
      ['wrong content type', { 'content-type': 'text/plain' }, 'hello', 415],
      [
        'unsupported encoding',
        { 'content-type': 'application/json', 'content-encoding': 'compress' },
        validJson,
        415,
      ],
    ])(
      '%s → %i with a message, and the server keeps serving',
      async (_name, headers, body, status) => {
        const { server, registry } = await start({
          receiver: { maxBodyBytes: 1024 * 1024 },
          exporters: [{ name: 'sink', endpoint: sink.url }],
        });
        const res = await fetch(server.url, { method: 'POST', headers, body });
        expect(res.status).toBe(status);
        const rpc = decodeStatus(
          Buffer.from(await res.arrayBuffer()),
          res.headers.get('content-type')!,
        );
        expect(rpc.message).toBeTruthy();
        const ok = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body: valid,
        });
        expect(ok.status).toBe(200);
        expect(await registry.metrics()).toContain(
          `${PIPELINE_METRICS.requests}{status="${status}"} 1`,
        );
      },
    );
  });

  it('answers 500 mutated payloads with 2xx or 4xx, never 5xx, and keeps its books balanced', async () => {
    const { pipeline } = await start({
      receiver: { maxBodyBytes: 256 * 1024 },
      exporters: [{ name: 'sink', endpoint: sink.url }],
    });
    const random = seededRandom(20260101);
    const pick = <T>(items: readonly T[]) =>
      items[Math.floor(random() * items.length)];
    const int = (n: number) => Math.floor(random() * n);
    const protobufSeed = encodeRequest(makeRequest({ a: 4, b: 2 }));
    const jsonSeed = Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'x' } },
              ],
            },
            scopeSpans: [
              {
                scope: { name: 's' },
                spans: [
                  {
                    traceId: 'ab'.repeat(16),
                    spanId: 'cd'.repeat(8),
                    name: 'op',
                    kind: 2,
                    startTimeUnixNano: '1700000000000000000',
                    attributes: [
                      { key: 'k', value: { intValue: '5' } },
                      {
                        key: 'a',
                        value: {
                          arrayValue: { values: [{ boolValue: true }] },
                        },
                      },
                    ],
                    status: { code: 2 },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const mutations: ((b: Buffer) => Buffer)[] = [
      b => {
        const c = Buffer.from(b);
        for (let i = 0, n = 1 + int(5); i < n; i++) c[int(c.length)] = int(256);
        return c;
      },
      b => b.subarray(0, int(b.length)),
      b => {
        const at = int(b.length);
        return Buffer.concat([
          b.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))),
          b.subarray(at),
        ]);
      },
      b => {
        const from = int(b.length);
        return Buffer.concat([b, b.subarray(from, from + int(40))]);
      },
      b => {
        const c = Buffer.from(b);
        c[int(c.length)] = pick([...Buffer.from('{}[]":,-0x.eE ')]);
        return c;
      },
      b =>
        Buffer.from(
          b
            .toString('latin1')
            .replace(
              pick([
                '"stringValue"',
                '"intValue"',
                '"spans"',
                '"traceId"',
                '"kind"',
              ]),
              pick([
                '"boolValue"',
                '"doubleValue"',
                '"attributes"',
                '"spanId"',
                '"name"',
              ]),
            ),
          'latin1',
        ),
    ];

    const outcomes = new Map<number, number>();
    // Error responses whose google.rpc.Status carries no message; expected to stay empty.
    const errorsWithoutMessage: { iteration: number; status: number }[] = [];
    for (let i = 0; i < 500; i++) {
      const json = random() < 0.5;
      let body = (json ? jsonSeed : protobufSeed) as Buffer;
      for (let m = 0, n = 1 + int(3); m < n; m++) body = pick(mutations)(body);
      const gzip = random() < 0.2;
      const res = await pipeline.handle({
        contentType: json ? 'application/json' : 'application/x-protobuf',
        contentEncoding: gzip ? 'gzip' : undefined,
        body: chunks(gzip ? gzipSync(body) : body),
      });
      outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (
        res.status >= 400 &&
        !decodeStatus(res.body, res.headers['content-type']).message
      )
        errorsWithoutMessage.push({ iteration: i, status: res.status });
    }
    expect(errorsWithoutMessage).toEqual([]);
    expect(outcomes.get(400)).toBeGreaterThan(0);
    await waitFor(
      () => pipeline.accounting.snapshot().inFlight === 0,
      'nothing in flight',
    );
    expect(sink.undecodable).toHaveLength(0);
    expect(pipeline.accounting.snapshot().balanced).toBe(true);
  });
});
