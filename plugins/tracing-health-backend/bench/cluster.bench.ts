/* eslint-disable no-console */
/**
 * `yarn bench:cluster`: what running the portal as several replicas on one PostgreSQL costs.
 * Starts the real backend once alone (no `tracingHealth.cluster`) and then as two replicas of one
 * cluster on this machine, sends the same pre-encoded OTLP protobuf traffic (two-span traces with
 * random trace ids, 50 spans a request) round robin over the replicas from a few concurrent
 * connections, and prints:
 *
 * - spans/s accepted through 1 replica and through 2;
 * - the backends' CPU per 1,000 spans (utime + stime of the backend processes, workers included);
 * - the share of spans forwarded to their owner (tracing_health_cluster_forwarded_spans_total);
 * - the forwarding cost per forwarded span: (CPU per span with 2 replicas − CPU per span alone)
 *   / share forwarded, as a fraction of the single replica's CPU per span (target: under 20%).
 *
 * Both replicas and this load generator share the machine's cores: spans/s through 2 replicas is
 * not a scaling figure on a 2-core machine, the CPU per span is. Not a test: it prints
 * (options: --seconds N per phase, default 15; --connections N, default 8; --cluster-config
 * 'key: value; ...' adds tracingHealth.cluster keys to both replicas; env
 * BENCH_CPU_PROF_DIR=dir writes the replicas' CPU profiles there, BENCH_SHOW_LOGS=1 prints their
 * last output). Needs PostgreSQL (scripts/postgres.sh, started if it is not running) and `ss`.
 */
import {
  ChildProcess,
  execFileSync,
  spawn,
  spawnSync,
} from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ExportTraceServiceRequestCodec } from '@internal/tracing-pipeline';

const root = path.resolve(__dirname, '../../..');
const TOKEN =
  process.env.TRACING_HEALTH_INGEST_TOKEN || 'tracing-health-dev-ingest-token';
const arg = (name: string) =>
  process.argv.includes(name)
    ? process.argv[process.argv.indexOf(name) + 1]
    : undefined;
const SECONDS = Number(arg('--seconds')) || 15;
const CONNECTIONS = Number(arg('--connections')) || 8;
/** More `tracingHealth.cluster` keys for both replicas, e.g. 'forwardLingerMs: 0; forwardCompression: none'. */
const CLUSTER_CONFIG = (arg('--cluster-config') ?? '')
  .split(';')
  .map(line => line.trim())
  .filter(Boolean);
const WARMUP_MS = 3000;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;
const yarnRelease = path.join(
  root,
  '.yarn/releases',
  fs
    .readdirSync(path.join(root, '.yarn/releases'))
    .find(f => f.endsWith('.cjs'))!,
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** 4,000 requests of 25 two-span traces (web → api), random trace ids, 200,000 spans in all. */
function encodeBodies(): Buffer[] {
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (traceId: Buffer, parent: Buffer | undefined, name: string) => ({
    traceId,
    spanId: randomBytes(8),
    parentSpanId: parent,
    name,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 12_000_000n),
    attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.response.status_code', value: { intValue: 200 } },
    ],
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

interface Backend {
  url: string;
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

/** The backend process itself (under yarn and the CLI): the one listening on the port. */
function listenerPid(port: number): number | undefined {
  const out =
    spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' })
      .stdout ?? '';
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 of /proc/PID/stat (11 and 12 after the command name)
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function startBackend(
  port: number,
  pgUrl: string,
  prefix: string,
  clustered: boolean,
): Promise<Backend> {
  const url = `http://127.0.0.1:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-bench-cluster-'));
  const config = path.join(dir, 'app-config.bench.yaml');
  fs.writeFileSync(
    config,
    [
      'app:',
      `  baseUrl: ${url}`,
      'backend:',
      `  baseUrl: ${url}`,
      `  listen: { host: 127.0.0.1, port: ${port} }`,
      '  database:',
      '    client: pg',
      `    connection: ${pgUrl}`,
      `    prefix: ${prefix}`,
      'tracingHealth:',
      // The counters read before and after a phase must be current, not a cached scrape.
      '  metrics: { cacheSeconds: 0 }',
      ...(clustered
        ? [
            '  cluster:',
            `    advertiseUrl: ${url}`,
            '    heartbeatSeconds: 1',
            '    memberTtlSeconds: 5',
            ...CLUSTER_CONFIG.map(line => `    ${line}`),
          ]
        : []),
      '  sampling:',
      '    default:',
      '      strategy: { type: probabilistic, rate: 0.1 }',
      '      alwaysKeep: { keepErrors: false }',
      '    tail: { decisionWaitMs: 2000 }',
      '  pipeline:',
      '    exporters: []',
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      yarnRelease,
      'workspace',
      'backend',
      'start',
      '--config',
      path.join(root, 'app-config.yaml'),
      '--config',
      config,
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        // Where to write the replicas' CPU profiles (on exit), to see where the time goes.
        ...(process.env.BENCH_CPU_PROF_DIR && clustered
          ? {
              NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`,
            }
          : {}),
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', d => (output = (output + d).slice(-20_000)));
  child.stderr!.on('data', d => (output = (output + d).slice(-20_000)));
  const stopChild = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  // Its config goes with it.
  const stop = async () => {
    await stopChild();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`backend exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/api/tracing-health/health`)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`backend not healthy within 120 s:\n${output}`);
    }
    await sleep(500);
  }
  const pid = listenerPid(port);
  if (!pid) {
    await stop();
    throw new Error(`no process listens on ${port} (is ss installed?)`);
  }
  return { url, pid, stop, logs: () => output };
}

async function metricTotal(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/api/tracing-health/metrics`)).text();
  return text
    .split('\n')
    .filter(line => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Sends the bodies round robin over the backends from CONNECTIONS loops for `ms`. */
async function load(backends: Backend[], bodies: Buffer[], ms: number) {
  const until = Date.now() + ms;
  let next = 0;
  let spans = 0;
  let refused = 0;
  const loop = async () => {
    while (Date.now() < until) {
      const i = next++;
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
      if (res?.status === 200) spans += 50;
      else {
        refused++;
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return { spans, refused };
}

/** Median latency of one request at a time (no queueing), round robin over the backends. */
async function sequentialLatencyMs(backends: Backend[], bodies: Buffer[]) {
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

async function phase(name: string, backends: Backend[], bodies: Buffer[]) {
  await load(backends, bodies, WARMUP_MS);
  const latencyMs = await sequentialLatencyMs(backends, bodies);
  const sum = async (metric: string) =>
    (await Promise.all(backends.map(b => metricTotal(b.url, metric)))).reduce(
      (a, b) => a + b,
      0,
    );
  const FORWARDED = 'tracing_health_cluster_forwarded_spans_total';
  const REQUESTS = 'tracing_health_cluster_forward_requests_total';
  const FAILED = 'tracing_health_cluster_forward_failed_spans_total';
  const forwardedBefore = await sum(FORWARDED);
  const requestsBefore = await sum(REQUESTS);
  const failedBefore = await sum(FAILED);
  const cpuBefore = backends.map(b => cpuSeconds(b.pid));
  const started = performance.now();
  const { spans, refused } = await load(backends, bodies, SECONDS * 1000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = backends
    .map((b, i) => cpuSeconds(b.pid) - cpuBefore[i])
    .reduce((a, b) => a + b, 0);
  const forwarded = (await sum(FORWARDED)) - forwardedBefore;
  const forwardRequests = (await sum(REQUESTS)) - requestsBefore;
  const failedSpans = (await sum(FAILED)) - failedBefore;
  const result = {
    name,
    spansPerSecond: spans / seconds,
    cpuMsPer1000Spans: (cpu * 1e6) / spans,
    shareForwarded: forwarded / spans,
    refusedRequests: refused,
    latencyMs,
  };
  console.log(
    `${name.padEnd(11)} ${Math.round(result.spansPerSecond)
      .toString()
      .padStart(7)} spans/s, backend CPU ${result.cpuMsPer1000Spans.toFixed(
      1,
    )} ms per 1,000 spans, ${(result.shareForwarded * 100).toFixed(
      1,
    )}% forwarded, ${refused} requests refused; one request at a time: ${latencyMs.toFixed(
      1,
    )} ms median`,
  );
  if (forwarded || failedSpans)
    console.log(
      `            forwards: ${
        forwardRequests
          ? `${forwardRequests} requests, ${(
              forwarded / forwardRequests
            ).toFixed(0)} spans each`
          : 'requests not counted by this version'
      }; ${failedSpans} spans decided locally after a failed forward`,
    );
  return result;
}

async function main() {
  // scripts/postgres.sh's port: another suite's server on the default one is left alone.
  const pgPort = process.env.TRACING_HEALTH_PG_PORT || '55432';
  const pgWasRunning =
    spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${pgPort}`], {
      stdio: 'ignore',
    }).status === 0;
  const pg = spawnSync(path.join(root, 'scripts/postgres.sh'), {
    encoding: 'utf8',
  });
  if (pg.status !== 0) {
    console.error(
      `bench:cluster needs PostgreSQL (scripts/postgres.sh): ${pg.stderr}`,
    );
    process.exit(1);
  }
  const pgUrl = pg.stdout.trim();
  const prefix = `th_bench_cluster_${Date.now()}_`;
  console.log(
    `bench:cluster: ${
      os.cpus().length
    } cores, ${CONNECTIONS} connections, ${SECONDS} s per phase after ${
      WARMUP_MS / 1000
    } s warm-up; two-span traces, 50 spans a request, sampled at 10%, nothing exported`,
  );
  const bodies = encodeBodies();
  const started: Backend[] = [];
  try {
    const single = await startBackend(
      await freePort(),
      pgUrl,
      `${prefix}one_`,
      false,
    );
    started.push(single);
    const one = await phase('1 replica', [single], bodies);
    await single.stop();
    started.length = 0;

    for (let i = 0; i < 2; i++)
      started.push(
        await startBackend(await freePort(), pgUrl, `${prefix}two_`, true),
      );
    // Both see each other before the clock starts.
    const deadline = Date.now() + 30_000;
    while (
      (
        await Promise.all(
          started.map(b =>
            metricTotal(b.url, 'tracing_health_cluster_members'),
          ),
        )
      ).some(n => n !== 2)
    ) {
      if (Date.now() > deadline)
        throw new Error('the replicas never saw each other');
      await sleep(200);
    }
    const two = await phase('2 replicas', started, bodies);
    if (process.env.BENCH_SHOW_LOGS)
      for (const b of started)
        console.error(`--- ${b.url} (last output)\n${b.logs().slice(-4000)}`);
    const extraPerSpan = two.cpuMsPer1000Spans - one.cpuMsPer1000Spans;
    const perForwarded = extraPerSpan / Math.max(two.shareForwarded, 1e-9);
    console.log(
      `forwarding: ${(two.shareForwarded * 100).toFixed(
        1,
      )}% of spans forwarded; ` +
        `${(perForwarded / 1000).toFixed(4)} ms CPU per forwarded span, ` +
        `${((perForwarded / one.cpuMsPer1000Spans) * 100).toFixed(
          1,
        )}% of a span's cost on one replica (target: under 20%); ` +
        `throughput 2 replicas / 1: ${(
          two.spansPerSecond / one.spansPerSecond
        ).toFixed(2)}x`,
    );
  } catch (e) {
    for (const b of started)
      console.error(`--- ${b.url} (last output)\n${b.logs().slice(-3000)}`);
    throw e;
  } finally {
    await Promise.all(started.map(b => b.stop()));
    if (!pgWasRunning)
      spawnSync(path.join(root, 'scripts/postgres.sh'), ['stop']);
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
