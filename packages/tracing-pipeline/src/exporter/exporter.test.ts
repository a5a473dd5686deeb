import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { PIPELINE_METRICS } from '@internal/tracing-model';
import { parsePipelineConfig } from '../config';
import { ExportTraceServiceResponseCodec } from '../otlp/otlpRoot';
import { ExportOutcome, OtlpHttpExporter } from './exporter';
import { parseRetryAfter } from './httpSender';
import { FallbackFile } from './fallbackFile';
import { createPipelineMetrics } from '../telemetry/metrics';
import { encodeRequest, makeRequest, waitFor } from '../testing/fixtures';
import { OtlpSink, SinkReply } from '../testing/otlpSink';

const silent = { info() {}, warn() {}, error() {} };

function metrics(registry = new Registry()) {
  return createPipelineMetrics(registry, {
    memory: () => ({ spans: 0, bytes: 0 }),
    memoryLimits: () => ({
      softBytes: 0,
      hardBytes: 0,
      softSpans: 0,
      hardSpans: 0,
    }),
    queues: () => [],
  });
}

function exporterFor(
  url: string,
  overrides: Record<string, unknown> = {},
  fallback?: FallbackFile,
) {
  const [config] = parsePipelineConfig({
    exporters: [
      {
        name: 'primary',
        endpoint: url,
        headers: { 'x-scope-orgid': 'tenant-1' },
        timeoutMs: 2000,
        retry: {
          initialIntervalMs: 5,
          maxIntervalMs: 20,
          maxElapsedMs: 10_000,
        },
        ...overrides,
      },
    ],
  }).exporters;
  return new OtlpHttpExporter(config, {
    metrics: metrics(),
    logger: silent,
    fallback,
    random: () => 0.5,
  });
}

function item(spans = 2) {
  const body = gzipSync(encodeRequest(makeRequest({ svc: spans })));
  const outcomes: ExportOutcome[] = [];
  return {
    item: { body, spans, settle: (o: ExportOutcome) => outcomes.push(o) },
    outcomes,
  };
}

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('%s → %s ms', (value, expected) =>
    expect(parseRetryAfter(value, now)).toBe(expected),
  );
});

describe('OtlpHttpExporter', () => {
  let sink: OtlpSink;
  beforeEach(async () => {
    sink = await new OtlpSink().start();
  });
  afterEach(() => sink.stop());

  it.each<[string, SinkReply[], ExportOutcome, number]>([
    ['200', [{ status: 200 }], { kind: 'exported', exporter: 'primary' }, 1],
    [
      '400 is permanent',
      [{ status: 400 }],
      { kind: 'dropped', reason: 'permanent_error' },
      1,
    ],
    [
      '401 is permanent',
      [{ status: 401 }],
      { kind: 'dropped', reason: 'permanent_error' },
      1,
    ],
    [
      '500 is not retried',
      [{ status: 500 }],
      { kind: 'dropped', reason: 'permanent_error' },
      1,
    ],
    [
      '503 then 200',
      [{ status: 503 }, { status: 200 }],
      { kind: 'exported', exporter: 'primary' },
      2,
    ],
    [
      '502, 504 then 200',
      [{ status: 502 }, { status: 504 }, { status: 200 }],
      { kind: 'exported', exporter: 'primary' },
      3,
    ],
    [
      '429 + Retry-After seconds',
      [{ status: 429, headers: { 'retry-after': '0' } }, { status: 200 }],
      { kind: 'exported', exporter: 'primary' },
      2,
    ],
    [
      '503 + Retry-After HTTP-date',
      [
        { status: 503, headers: { 'retry-after': new Date(0).toUTCString() } },
        { status: 200 },
      ],
      { kind: 'exported', exporter: 'primary' },
      2,
    ],
  ])('%s', async (_name, replies, expected, attempts) => {
    sink.reply = n => replies[Math.min(n, replies.length - 1)];
    const exporter = exporterFor(sink.url);
    const { item: it, outcomes } = item();
    exporter.enqueue(it);
    await waitFor(() => outcomes.length > 0, 'an outcome');
    expect(outcomes).toEqual([expected]);
    expect(sink.attempts).toBe(attempts);
    await exporter.shutdown(Date.now() + 1000);
  });

  it('counts spans the backend rejected in a partial success, without retrying them', async () => {
    sink.reply = () => ({
      status: 200,
      body: ExportTraceServiceResponseCodec.encode({
        partialSuccess: { rejectedSpans: 2, errorMessage: 'too old' },
      }).finish(),
    });
    const registry = new Registry();
    const warnings: string[] = [];
    const [config] = parsePipelineConfig({
      exporters: [{ name: 'primary', endpoint: sink.url }],
    }).exporters;
    const exporter = new OtlpHttpExporter(config, {
      metrics: metrics(registry),
      logger: { ...silent, warn: m => warnings.push(m) },
    });
    const { item: it, outcomes } = item(5);
    exporter.enqueue(it);
    await waitFor(() => outcomes.length > 0, 'an outcome');
    expect(outcomes).toEqual([{ kind: 'exported', exporter: 'primary' }]);
    expect(sink.attempts).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(
      `${PIPELINE_METRICS.spansExported}{exporter="primary"} 3`,
    );
    expect(text).toContain(
      `${PIPELINE_METRICS.exportFailed}{exporter="primary",reason="rejected"} 2`,
    );
    expect(warnings).toEqual([
      'exporter primary: the backend rejected 2 of 5 spans: too old',
    ]);
    await exporter.shutdown(Date.now() + 1000);
  });

  it('sends gzip protobuf with the configured headers', async () => {
    const exporter = exporterFor(sink.url);
    const { item: it, outcomes } = item(3);
    exporter.enqueue(it);
    await waitFor(() => outcomes.length > 0, 'export');
    expect(sink.headers[0]).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
      'x-scope-orgid': 'tenant-1',
    });
    expect(sink.spans()).toHaveLength(3);
  });

  it('gives up when the retry budget is spent', async () => {
    sink.reply = () => ({ status: 503 });
    const exporter = exporterFor(sink.url, {
      retry: { initialIntervalMs: 5, maxIntervalMs: 10, maxElapsedMs: 50 },
    });
    const { item: it, outcomes } = item();
    exporter.enqueue(it);
    await waitFor(() => outcomes.length > 0, 'an outcome');
    expect(outcomes).toEqual([
      { kind: 'dropped', reason: 'retries_exhausted' },
    ]);
    expect(sink.attempts).toBeGreaterThan(1);
  });

  it('gives up at once when Retry-After exceeds the budget', async () => {
    sink.reply = () => ({ status: 429, headers: { 'retry-after': '3600' } });
    const exporter = exporterFor(sink.url);
    const { item: it, outcomes } = item();
    exporter.enqueue(it);
    await waitFor(() => outcomes.length > 0, 'an outcome');
    expect(outcomes).toEqual([
      { kind: 'dropped', reason: 'retries_exhausted' },
    ]);
    expect(sink.attempts).toBe(1);
  });

  it('retries through connection refused until the backend is back', async () => {
    await sink.stop();
    const exporter = exporterFor(sink.url);
    const { item: it, outcomes } = item();
    exporter.enqueue(it);
    await new Promise(r => setTimeout(r, 50));
    expect(outcomes).toEqual([]);
    await sink.start();
    await waitFor(() => outcomes.length > 0, 'export after recovery');
    expect(outcomes).toEqual([{ kind: 'exported', exporter: 'primary' }]);
  });

  it('times out a hanging attempt and retries', async () => {
    sink.reply = n => (n === 0 ? { status: 0 } : { status: 200 });
    const exporter = exporterFor(sink.url, { timeoutMs: 100 });
    const { item: it, outcomes } = item();
    exporter.enqueue(it);
    await waitFor(() => outcomes.length > 0, 'export after timeout');
    expect(outcomes).toEqual([{ kind: 'exported', exporter: 'primary' }]);
    expect(sink.attempts).toBe(2);
  });

  it('refuses batches beyond the queue capacity', async () => {
    sink.reply = () => ({ status: 0 });
    const exporter = exporterFor(sink.url, { queueSize: 2, concurrency: 1 });
    const items = [item(), item(), item()];
    for (const { item: it } of items) exporter.enqueue(it);
    await waitFor(() => items[2].outcomes.length > 0, 'refusal');
    expect(items[2].outcomes).toEqual([
      { kind: 'dropped', reason: 'queue_full' },
    ]);
    expect(exporter.size()).toBe(2);
    await exporter.shutdown(Date.now() + 50);
    expect(items.map(i => i.outcomes[0])).toEqual([
      { kind: 'dropped', reason: 'shutdown' },
      { kind: 'dropped', reason: 'shutdown' },
      { kind: 'dropped', reason: 'queue_full' },
    ]);
  });

  describe('with a fallback file', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'th-fallback-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    async function exportThroughFallback(reply: SinkReply) {
      sink.reply = () => reply;
      const path = join(dir, 'sub', 'fallback.jsonl');
      const fallback = new FallbackFile(path);
      const exporter = exporterFor(
        sink.url,
        { retry: { initialIntervalMs: 5, maxIntervalMs: 5, maxElapsedMs: 20 } },
        fallback,
      );
      const { item: it, outcomes } = item(4);
      exporter.enqueue(it);
      await waitFor(() => outcomes.length > 0, 'an outcome');
      await fallback.close();
      return { outcomes, path };
    }

    it('retries exhausted', async () => {
      const { outcomes, path } = await exportThroughFallback({ status: 503 });
      expect(outcomes).toEqual([{ kind: 'exported', exporter: 'fallback' }]);
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(
        JSON.parse(lines[0]).resourceSpans[0].scopeSpans[0].spans,
      ).toHaveLength(4);
    });

    it('drops with reason fallback_full when the file and its .1 are full', async () => {
      sink.reply = () => ({ status: 503 });
      const path = join(dir, 'fallback.jsonl');
      await writeFile(`${path}.1`, '{}\n');
      await writeFile(path, '{}\n');
      const fallback = new FallbackFile(path, 10);
      const exporter = exporterFor(
        sink.url,
        { retry: { initialIntervalMs: 5, maxIntervalMs: 5, maxElapsedMs: 20 } },
        fallback,
      );
      const { item: it, outcomes } = item(4);
      exporter.enqueue(it);
      await waitFor(() => outcomes.length > 0, 'an outcome');
      await fallback.close();
      expect(outcomes).toEqual([{ kind: 'dropped', reason: 'fallback_full' }]);
      expect(await readFile(path, 'utf8')).toBe('{}\n');
    });

    it('permanent errors are not kept', async () => {
      const { outcomes } = await exportThroughFallback({ status: 400 });
      expect(outcomes).toEqual([
        { kind: 'dropped', reason: 'permanent_error' },
      ]);
    });
  });

  describe('with a persistent queue', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'th-queue-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('keeps unsent batches on disk across a restart and removes them once sent', async () => {
      await sink.stop();
      const first = exporterFor(sink.url, { persistentQueueDir: dir });
      await first.start(() => () => {});
      const a = item(2);
      const b = item(3);
      first.enqueue(a.item);
      first.enqueue(b.item);
      await waitFor(
        async () =>
          (await readdir(dir)).filter(f => f.endsWith('.gz')).length === 2,
        'two files',
      );
      await first.shutdown(Date.now() + 50);
      expect([...a.outcomes, ...b.outcomes]).toEqual([
        { kind: 'retained' },
        { kind: 'retained' },
      ]);

      await sink.start();
      const restored: number[] = [];
      const outcomes: ExportOutcome[] = [];
      const second = exporterFor(sink.url, { persistentQueueDir: dir });
      await second.start(spans => {
        restored.push(spans);
        return o => outcomes.push(o);
      });
      expect(restored).toEqual([2, 3]);
      await waitFor(() => outcomes.length === 2, 'restored batches exported');
      expect(sink.spans()).toHaveLength(5);
      await waitFor(
        async () => (await readdir(dir)).length === 0,
        'files removed',
      );
      await second.shutdown(Date.now() + 1000);
    });

    /** Fails over to a fallback that records what the queue held when it was written. */
    async function giveUpWith(write: (body: Uint8Array) => Promise<void>) {
      sink.reply = () => ({ status: 503 });
      const fallback = { write } as unknown as FallbackFile;
      const exporter = exporterFor(
        sink.url,
        {
          persistentQueueDir: dir,
          retry: { initialIntervalMs: 5, maxIntervalMs: 5, maxElapsedMs: 20 },
        },
        fallback,
      );
      await exporter.start(() => () => {});
      const { item: it, outcomes } = item(3);
      exporter.enqueue(it);
      await waitFor(() => outcomes.length > 0, 'an outcome');
      await exporter.shutdown(Date.now() + 100);
      return outcomes;
    }

    it('removes a given-up batch from the queue only after its fallback line is written', async () => {
      let queuedDuringWrite: string[] = [];
      const outcomes = await giveUpWith(async () => {
        queuedDuringWrite = await readdir(dir);
      });
      expect(outcomes).toEqual([{ kind: 'exported', exporter: 'fallback' }]);
      expect(queuedDuringWrite).toHaveLength(1);
      expect(await readdir(dir)).toEqual([]);
    });

    it('keeps a given-up batch in the queue when the fallback write fails, and sends it after a restart', async () => {
      const outcomes = await giveUpWith(() =>
        Promise.reject(new Error('ENOSPC: no space left on device')),
      );
      expect(outcomes).toEqual([{ kind: 'retained' }]);
      expect(await readdir(dir)).toHaveLength(1);

      sink.reply = () => ({ status: 200 });
      const restored: ExportOutcome[] = [];
      const next = exporterFor(sink.url, { persistentQueueDir: dir });
      await next.start(() => o => restored.push(o));
      await waitFor(() => restored.length === 1, 'the batch sent');
      expect(restored).toEqual([{ kind: 'exported', exporter: 'primary' }]);
      expect(sink.spans()).toHaveLength(3);
      await next.shutdown(Date.now() + 1000);
    });

    it('ignores half-written files', async () => {
      await require('node:fs/promises').writeFile(
        join(dir, '1-0-5.otlp.pb.gz.tmp'),
        'x',
      );
      const exporter = exporterFor(sink.url, { persistentQueueDir: dir });
      const restored: number[] = [];
      await exporter.start(spans => {
        restored.push(spans);
        return () => {};
      });
      expect(restored).toEqual([]);
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
