#!/usr/bin/env node
/* eslint-disable no-console */
// `yarn bench:isolation`: does the portal keep answering while the pipeline is fed? Starts the
// real backend (embedded default), signs in as guest and times GET
// /api/catalog/entities/by-query?limit=20 every 50 ms: idle, while the pipeline is saturated with
// valid OTLP traffic, and while each hostile input is sent. Prints p50/p99/max probe latency and
// the backend's peak RSS per phase. Not a test: it prints (options: --phase-seconds N).
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const { gzipSync } = require('node:zlib');

const BASE = 'http://127.0.0.1:7007';
const INGEST = `${BASE}/api/tracing-health/v1/traces`;
const TOKEN =
  process.env.TRACING_HEALTH_INGEST_TOKEN || 'tracing-health-dev-ingest-token';
const arg = name =>
  process.argv.includes(name)
    ? process.argv[process.argv.indexOf(name) + 1]
    : undefined;
const PHASE_MS = (Number(arg('--phase-seconds')) || 10) * 1000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

function treeRssMiB(rootPid) {
  // The backend's process tree (yarn → backstage-cli → node src/index): the largest RSS in it.
  let max = 0;
  const walk = pid => {
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(
        readFileSync(`/proc/${pid}/status`, 'utf8'),
      );
      if (rss) max = Math.max(max, Number(rss[1]) / 1024);
      const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
        .toString()
        .split('\n')
        .map(s => s.trim())
        .filter(Boolean);
      children.forEach(walk);
    } catch {
      /* gone */
    }
  };
  walk(rootPid);
  return max;
}

function jsonSpan(traceId, i, name = 'GET /api/orders/{id}') {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name,
    kind: 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 12_000_000n),
    attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      {
        key: 'url.full',
        value: { stringValue: `https://shop.example.com/api/orders/${i}` },
      },
      { key: 'http.response.status_code', value: { intValue: 200 } },
    ],
    status: {},
  };
}

function jsonRequest(spans, service = 'isolation-bench') {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
          ],
        },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
}

async function post(body, headers) {
  try {
    const res = await fetch(INGEST, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  } catch (e) {
    return String(e.cause?.code ?? e);
  }
}

function varint(value) {
  const out = [];
  let n = value;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
const field = (tag, payload) =>
  Buffer.concat([Buffer.from([tag]), varint(payload.length), payload]);

/** An OTLP protobuf request of `n` empty spans (2 bytes each), gzip: tiny on the wire. */
function tinySpans(n) {
  const spans = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) spans[i * 2] = 0x12; // ScopeSpans.spans, length 0
  const scopeSpans = field(0x12, spans); // ResourceSpans.scope_spans
  const resourceSpans = field(0x0a, scopeSpans); // ExportTraceServiceRequest.resource_spans
  return gzipSync(resourceSpans);
}

async function main() {
  console.log(
    `isolation benchmark: ${PHASE_MS / 1000} s per phase, probe every 50 ms`,
  );
  const backend = spawn('yarn', ['workspace', 'backend', 'start'], {
    cwd: `${__dirname}/../../..`,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let log = '';
  backend.stdout.on('data', d => (log += d));
  backend.stderr.on('data', d => (log += d));
  const stop = () => {
    try {
      backend.kill('SIGTERM');
    } catch {
      /* gone */
    }
  };
  process.on('exit', stop);
  try {
    let token;
    for (let i = 0; i < 240 && !token; i++) {
      await sleep(1000);
      try {
        const res = await fetch(
          `${BASE}/api/auth/guest/refresh?env=development`,
          {
            headers: { 'x-requested-with': 'XMLHttpRequest' },
          },
        );
        if (res.ok) token = (await res.json()).backstageIdentity.token;
      } catch {
        /* not up yet */
      }
    }
    if (!token)
      throw new Error(`backend did not come up:\n${log.slice(-3000)}`);
    const workers = /pipeline started.*workers[^0-9]*(\d+)/.exec(log)?.[1];
    console.log(`backend up (pipeline workers: ${workers ?? '?'})`);
    await sleep(3000);

    const rows = [];
    const phase = async (name, load) => {
      const latencies = [];
      let rss = 0;
      let running = true;
      const probe = (async () => {
        while (running) {
          const started = performance.now();
          try {
            const res = await fetch(
              `${BASE}/api/catalog/entities/by-query?limit=20`,
              {
                headers: { authorization: `Bearer ${token}` },
                signal: AbortSignal.timeout(60_000),
              },
            );
            await res.arrayBuffer();
          } catch {
            /* counted by its latency */
          }
          latencies.push(performance.now() - started);
          rss = Math.max(rss, treeRssMiB(backend.pid));
          await sleep(50);
        }
      })();
      const statuses = {};
      const loadDone = load
        ? load(s => (statuses[s] = (statuses[s] ?? 0) + 1))
        : sleep(PHASE_MS);
      await Promise.race([
        Promise.all([loadDone, sleep(PHASE_MS)]),
        sleep(PHASE_MS * 3),
      ]);
      running = false;
      await probe;
      latencies.sort((a, b) => a - b);
      const q = p =>
        latencies[
          Math.min(latencies.length - 1, Math.floor(p * latencies.length))
        ];
      rows.push({
        phase: name,
        probes: latencies.length,
        'p50 ms': q(0.5).toFixed(1),
        'p99 ms': q(0.99).toFixed(1),
        'max ms': latencies[latencies.length - 1].toFixed(1),
        'over 250 ms': latencies.filter(l => l > 250).length,
        'peak RSS MiB': Math.round(rss),
        'ingest answers': JSON.stringify(statuses),
      });
      console.log(JSON.stringify(rows[rows.length - 1]));
      await sleep(2000);
    };

    await phase('idle');
    await phase('saturated (8 senders, 512 spans/request)', async count => {
      const until = Date.now() + PHASE_MS;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() < until) {
            const traceId = randomBytes(16).toString('hex');
            const body = gzipSync(
              jsonRequest(
                Array.from({ length: 512 }, (_, i) => jsonSpan(traceId, i)),
              ),
            );
            count(
              await post(body, {
                'content-type': 'application/json',
                'content-encoding': 'gzip',
              }),
            );
          }
        }),
      );
    });
    await phase(
      'one span with a 20,000,000-digit startTimeUnixNano (gzip)',
      async count => {
        const span = jsonSpan(randomBytes(16).toString('hex'), 0);
        const body = jsonRequest([span]).replace(
          `"startTimeUnixNano":"${span.startTimeUnixNano}"`,
          `"startTimeUnixNano":"1${'0'.repeat(19_999_999)}"`,
        );
        count(
          await post(gzipSync(body), {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          }),
        );
      },
    );
    await phase(
      '4 concurrent gzip bodies of 1.7 million tiny spans',
      async count => {
        const body = tinySpans(1_700_000);
        console.log(
          `  (each body ${(body.length / 2 ** 20).toFixed(2)} MiB gzip)`,
        );
        await Promise.all(
          Array.from({ length: 4 }, async () =>
            count(
              await post(body, {
                'content-type': 'application/x-protobuf',
                'content-encoding': 'gzip',
              }),
            ),
          ),
        );
      },
    );
    console.table(rows);
    console.log(
      'not measured here: the root span name of 30 characters after an owner saves the rule ((.)+)+X (needs the policy API as an owner)',
    );
  } finally {
    stop();
    await new Promise(r =>
      backend.exitCode !== null ? r() : backend.once('exit', r),
    );
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
