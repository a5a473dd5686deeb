#!/usr/bin/env node
// Proves the built package (dist/, from `backstage-cli package build`) works as a production
// backend bundle loads it: the index loads, a WorkerPool starts its worker from the built worker
// module (not from TypeScript source), takes one OTLP protobuf request and exports its spans.
// Run by `yarn check:build` (after building this package and @internal/tracing-model), with
// resolve-packed-workspace.js preloaded; exits non-zero, saying why, when any of it fails.
'use strict';

const { createServer } = require('node:http');
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');

function fail(message) {
  process.stderr.write(`check-built-package: ${message}\n`);
  process.exit(1);
}

async function main() {
  let pipeline;
  try {
    pipeline = require(join(dist, 'index.cjs.js'));
  } catch (error) {
    fail(
      `dist/index.cjs.js does not load (run yarn build first): ${error.message}`,
    );
  }
  const workerModule = require(join(dist, 'workers', 'pipelineWorker.cjs.js'));
  if (!/\.cjs\.js$/.test(workerModule.pipelineWorkerFile)) {
    fail(
      `the worker would start from ${workerModule.pipelineWorkerFile}, not the built module`,
    );
  }
  const { Registry } = require('prom-client');
  const codec = pipeline.ExportTraceServiceRequestCodec;

  let exportedSpans = 0;
  const sink = createServer((req, res) => {
    const chunks = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const decoded = codec.decode(
        req.headers['content-encoding'] === 'gzip'
          ? require('node:zlib').gunzipSync(body)
          : body,
      );
      for (const rs of decoded.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          exportedSpans += (ss.spans ?? []).length;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise(resolve => sink.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${sink.address().port}/v1/traces`;

  const pool = new pipeline.WorkerPool({
    config: {
      exporters: [{ name: 'sink', endpoint }],
      batch: { timeoutMs: 20 },
    },
    workers: 1,
    registry: new Registry(),
  });
  try {
    await pool.start();
    const traceId = randomBytes(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [0, 1, 2].map(i => ({
      traceId,
      spanId: randomBytes(8),
      name: `span ${i}`,
      kind: 2,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_000_000n),
    }));
    const body = codec
      .encode({
        resourceSpans: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'smoke' } },
              ],
            },
            scopeSpans: [{ spans }],
          },
        ],
      })
      .finish();
    const response = await pool.handle({
      contentType: 'application/x-protobuf',
      body: [body],
    });
    if (response.status !== 200) {
      fail(
        `the built worker answered ${response.status}: ${JSON.stringify(
          response.body,
        )}`,
      );
    }
  } finally {
    await pool.shutdown();
    sink.close();
  }
  if (exportedSpans !== 3) fail(`3 spans sent, ${exportedSpans} exported`);
  process.stdout.write(
    `check-built-package: the built worker took 3 spans and exported ${exportedSpans}\n`,
  );
}

main().catch(error => fail(error.stack || String(error)));
