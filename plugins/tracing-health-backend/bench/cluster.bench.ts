/* eslint-disable no-console */
/**
 * `yarn bench:cluster`: what running the portal as several replicas on one PostgreSQL costs.
 * Starts the real backend alone (no `tracingHealth.cluster`), two backends alone and two replicas
 * of one cluster, all five at once, and loads the single one, the pair and the cluster in turn,
 * in short slices (each set going first in turn), so a drift of the machine's speed falls on all
 * alike. Each load is the same pre-encoded OTLP protobuf traffic
 * (two-span traces with random trace ids, 50 spans a request) round robin over the set's
 * backends from a few concurrent connections. It prints:
 *
 * - spans/s accepted through 1 replica, 2 alone and 2 clustered;
 * - the backends' CPU per 1,000 spans (utime + stime of the loaded backends, workers included);
 * - the share of spans forwarded to their owner (tracing_health_cluster_forwarded_spans_total);
 * - the backends' CPU with no traffic (measured for 10 s, 35 s after their warm-up traffic, once
 *   they have finished with it), which the net figures leave out: it is what Backstage backends
 *   cost idle, not what spans cost;
 * - the forwarding cost per forwarded span: (net CPU per span of the 2 clustered replicas − of
 *   the 2 alone, each deciding what it receives) / share forwarded, as a fraction of the pair's
 *   net CPU per span (target: under 20%), over all slices, with a 90% bootstrap interval over
 *   the slice pairs, and per pair of slices (median, min, max); the same against one replica
 *   (the issue's wording: a share of a single replica's cost), with its own interval;
 * - where the CPU goes: main threads, pipeline workers and the rest (thread_cpu_seconds_total),
 *   per 1,000 spans under load and per second idle. The pair alone is the fair base: the same processes on
 *   the same cores at the same load per replica (a replica's CPU per span depends on its load:
 *   batching), so what differs is the routing.
 *
 * The backends and this load generator share the machine's cores: spans/s through 2 replicas is
 * not a scaling figure on a 2-core machine, the CPU per span is. Phases run one after the other
 * differed by up to 3x on this machine; slices side by side are what this compares. Not a test:
 * it prints (options: --seconds N per slice, default 5;
 * --rounds N slices per set, default 8; --connections N, default 8; --rate N spans/s
 * offered, default as fast as they answer; --attributes N of an HTTP server span's 12 on each
 * span, default 12 (a rate both setups keep up with compares their CPU
 * per span without the contention of a saturated machine); --workers N pipeline worker threads
 * per backend, default the machine's; --cluster-config 'key: value; ...' adds
 * tracingHealth.cluster keys to both replicas; --to-first sends all traffic to each set's first
 * backend and prints each backend's CPU, so the cluster's two replicas split a forwarded span's
 * cost between its sender and its owner; env BENCH_CPU_PROF_DIR=dir writes the backends'
 * CPU profiles there, BENCH_SHOW_LOGS=1 prints the replicas' last output, BENCH_LOG_DIR=dir
 * keeps each backend's whole output there; with NODE_OPTIONS="--require
 * <abs path>/bench/cluster/traceGc.cjs" that output holds V8's GC trace, which
 * bench/cluster/gcSummary.ts sums per thread). Needs PostgreSQL
 * (scripts/postgres.sh, started if it is not running) and `ss`.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  Backend,
  cpuSeconds,
  metricTotal,
  startBackend,
  threadGroupsCpu,
  ThreadGroupsCpu,
} from './cluster/backendProcess';
import { freePort, root, sleep } from './cluster/benchEnv';
import { PIPELINE_METRICS } from '@internal/plugin-tracing-health-common';
import {
  encodeBodies,
  load,
  MAX_ATTRIBUTES,
  sequentialLatencyMs,
} from './cluster/traffic';

const arg = (name: string) =>
  process.argv.includes(name)
    ? process.argv[process.argv.indexOf(name) + 1]
    : undefined;
const SECONDS = Number(arg('--seconds')) || 5;
/** Slices of load per set (two alone, two clustered), alternating which goes first. */
const ROUNDS = Number(arg('--rounds')) || 8;
const CONNECTIONS = Number(arg('--connections')) || 8;
/** Attributes of each span, as an HTTP server span has them (default: all 12). */
const ATTRIBUTES = Math.min(
  MAX_ATTRIBUTES,
  arg('--attributes') === undefined
    ? MAX_ATTRIBUTES
    : Number(arg('--attributes')),
);
/** Offered load in spans/s (both phases the same); absent: as fast as the backends answer. */
const RATE = Number(arg('--rate')) || undefined;
/** `tracingHealth.pipeline.workers` of every backend (absent: the machine's default). */
const WORKERS =
  arg('--workers') === undefined ? undefined : Number(arg('--workers'));
/** More `tracingHealth.cluster` keys for both replicas, e.g. 'forwardLingerMs: 0; forwardCompression: none'. */
const CLUSTER_CONFIG = (arg('--cluster-config') ?? '')
  .split(';')
  .map(line => line.trim())
  .filter(Boolean);
/**
 * All traffic to the first backend of each set: in the cluster, that replica only sends forwards
 * and the other only receives them, so their CPU splits the cost between sender and owner.
 */
const TO_FIRST = process.argv.includes('--to-first');
const WARMUP_MS = 3000;
const THREAD_CPU = PIPELINE_METRICS.threadCpuSeconds;
const IDLE_MS = 10_000;
/**
 * A backend keeps working for a while after its last span: tail decisions (2 s here) and the
 * completeness window (30 s). Idle CPU measured sooner would count that work as idle.
 */
const SETTLE_MS = 35_000;

/** CPU seconds per second each backend burns with no traffic (heartbeats, Backstage's own tasks). */
async function idleCpuPerSecond(backends: Backend[]): Promise<number[]> {
  await sleep(SETTLE_MS);
  const threads = () =>
    Promise.all(
      backends.map(async b => ({
        main: await metricTotal(b.url, THREAD_CPU, 'thread="main"'),
        worker: await metricTotal(b.url, THREAD_CPU, 'thread="worker"'),
      })),
    );
  const threadsBefore = await threads();
  const before = backends.map(b => cpuSeconds(b.pid));
  const started = performance.now();
  await sleep(IDLE_MS);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = backends.map(
    (b, i) => (cpuSeconds(b.pid) - before[i]) / seconds,
  );
  const threadsAfter = await threads();
  const ms = (x: number) => ((x * 1000) / seconds).toFixed(0);
  console.log(
    `idle, ms CPU per second (main thread / pipeline workers / the rest) of each backend: ${backends
      .map((b, i) => {
        const mainThread = threadsAfter[i].main - threadsBefore[i].main;
        const workers = threadsAfter[i].worker - threadsBefore[i].worker;
        return `${ms(mainThread)} / ${ms(workers)} / ${ms(
          perSecond[i] * seconds - mainThread - workers,
        )}`;
      })
      .join(', ')}`,
  );
  return perSecond;
}

const FORWARDED = 'tracing_health_cluster_forwarded_spans_total';
const REQUESTS = 'tracing_health_cluster_forward_requests_total';
const FAILED = 'tracing_health_cluster_forward_failed_spans_total';

/** What one or more loads of a set of backends took. */
interface Load {
  seconds: number;
  spans: number;
  refused: number;
  cpu: number;
  /** CPU of the backends' main threads, and of their pipeline workers (in `cpu`). */
  mainCpu: number;
  workerCpu: number;
  /**
   * Of the rest: V8's platform threads (garbage collection helpers, concurrent compilers) and
   * libuv's pool, from /proc (see threadGroupsCpu).
   */
  v8Cpu: number;
  libuvCpu: number;
  /** The same, per backend of the set (CPU seconds). */
  byBackend: { cpu: number; main: number; worker: number }[];
  idleCpu: number;
  forwarded: number;
  forwardRequests: number;
  failedSpans: number;
}

const sumLoads = (loads: Load[]): Load =>
  loads.reduce(
    (a, b) => ({
      seconds: a.seconds + b.seconds,
      spans: a.spans + b.spans,
      refused: a.refused + b.refused,
      cpu: a.cpu + b.cpu,
      mainCpu: a.mainCpu + b.mainCpu,
      workerCpu: a.workerCpu + b.workerCpu,
      v8Cpu: a.v8Cpu + b.v8Cpu,
      libuvCpu: a.libuvCpu + b.libuvCpu,
      byBackend: b.byBackend.map((x, i) => ({
        cpu: (a.byBackend[i]?.cpu ?? 0) + x.cpu,
        main: (a.byBackend[i]?.main ?? 0) + x.main,
        worker: (a.byBackend[i]?.worker ?? 0) + x.worker,
      })),
      idleCpu: a.idleCpu + b.idleCpu,
      forwarded: a.forwarded + b.forwarded,
      forwardRequests: a.forwardRequests + b.forwardRequests,
      failedSpans: a.failedSpans + b.failedSpans,
    }),
    {
      seconds: 0,
      spans: 0,
      refused: 0,
      cpu: 0,
      mainCpu: 0,
      workerCpu: 0,
      v8Cpu: 0,
      libuvCpu: 0,
      byBackend: [],
      idleCpu: 0,
      forwarded: 0,
      forwardRequests: 0,
      failedSpans: 0,
    },
  );

/** Loads `backends` for `ms` and measures their CPU and forwards over it. */
async function measureLoad(
  backends: Backend[],
  idle: number[],
  bodies: Buffer[],
  ms: number,
): Promise<Load> {
  const each = (metric: string, labels?: string) =>
    Promise.all(backends.map(b => metricTotal(b.url, metric, labels)));
  const sum = async (metric: string, labels?: string) =>
    (await each(metric, labels)).reduce((a, b) => a + b, 0);
  const forwardedBefore = await sum(FORWARDED);
  const requestsBefore = await sum(REQUESTS);
  const failedBefore = await sum(FAILED);
  const mainBefore = await each(THREAD_CPU, 'thread="main"');
  const workerBefore = await each(THREAD_CPU, 'thread="worker"');
  const cpuBefore = backends.map(b => cpuSeconds(b.pid));
  const groupsBefore = backends.map(b => threadGroupsCpu(b.pid));
  const started = performance.now();
  const { spans, refused } = await load(
    TO_FIRST ? backends.slice(0, 1) : backends,
    bodies,
    ms,
    CONNECTIONS,
    RATE,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuBy = backends.map((b, i) => cpuSeconds(b.pid) - cpuBefore[i]);
  const groupsAfter = backends.map(b => threadGroupsCpu(b.pid));
  const groupDelta = (key: keyof ThreadGroupsCpu) =>
    groupsAfter.reduce((a, g, i) => a + g[key] - groupsBefore[i][key], 0);
  const mainAfter = await each(THREAD_CPU, 'thread="main"');
  const workerAfter = await each(THREAD_CPU, 'thread="worker"');
  const byBackend = backends.map((_, i) => ({
    cpu: cpuBy[i],
    main: mainAfter[i] - mainBefore[i],
    worker: workerAfter[i] - workerBefore[i],
  }));
  return {
    seconds,
    spans,
    refused,
    cpu: cpuBy.reduce((a, b) => a + b, 0),
    mainCpu: byBackend.reduce((a, b) => a + b.main, 0),
    workerCpu: byBackend.reduce((a, b) => a + b.worker, 0),
    // Threads named `node` besides the main one: the pipeline workers and V8's platform threads.
    v8Cpu: groupDelta('node') - byBackend.reduce((a, b) => a + b.worker, 0),
    libuvCpu: groupDelta('libuv'),
    byBackend,
    idleCpu: idle.reduce((a, b) => a + b, 0) * seconds,
    forwarded: (await sum(FORWARDED)) - forwardedBefore,
    forwardRequests: (await sum(REQUESTS)) - requestsBefore,
    failedSpans: (await sum(FAILED)) - failedBefore,
  };
}

/** Per-span figures of a load. */
function figures(name: string, l: Load, latencyMs: number) {
  return {
    name,
    spansPerSecond: l.spans / l.seconds,
    cpuMsPer1000Spans: (l.cpu * 1e6) / l.spans,
    // Without what the backends burn idle over the same time: the CPU the spans cost.
    netCpuMsPer1000Spans: ((l.cpu - l.idleCpu) * 1e6) / l.spans,
    mainCpuMsPer1000Spans: (l.mainCpu * 1e6) / l.spans,
    workerCpuMsPer1000Spans: (l.workerCpu * 1e6) / l.spans,
    v8CpuMsPer1000Spans: (l.v8Cpu * 1e6) / l.spans,
    libuvCpuMsPer1000Spans: (l.libuvCpu * 1e6) / l.spans,
    shareForwarded: l.forwarded / l.spans,
    latencyMs,
  };
}

function report(name: string, l: Load, latencyMs: number) {
  const result = figures(name, l, latencyMs);
  console.log(
    `${name.padEnd(11)} ${Math.round(result.spansPerSecond)
      .toString()
      .padStart(7)} spans/s, backend CPU ${result.cpuMsPer1000Spans.toFixed(
      1,
    )} ms per 1,000 spans (${result.netCpuMsPer1000Spans.toFixed(
      1,
    )} without the ${((l.idleCpu / l.seconds) * 1000).toFixed(
      0,
    )} ms/s they use idle), ${(result.shareForwarded * 100).toFixed(
      1,
    )}% forwarded, ${
      l.refused
    } requests refused; one request at a time: ${latencyMs.toFixed(
      1,
    )} ms median`,
  );
  console.log(
    `            of which main threads ${result.mainCpuMsPer1000Spans.toFixed(
      1,
    )}, pipeline workers ${result.workerCpuMsPer1000Spans.toFixed(
      1,
    )}, the rest (garbage collection helpers, I/O threads) ${(
      result.cpuMsPer1000Spans -
      result.mainCpuMsPer1000Spans -
      result.workerCpuMsPer1000Spans
    ).toFixed(
      1,
    )} ms per 1,000 spans (V8's platform threads ${result.v8CpuMsPer1000Spans.toFixed(
      1,
    )}, libuv's pool ${result.libuvCpuMsPer1000Spans.toFixed(1)})`,
  );
  if (TO_FIRST && l.byBackend.length > 1)
    l.byBackend.forEach((b, i) =>
      console.log(
        `            backend ${i + 1} (${
          i === 0 ? 'takes all the traffic' : 'takes none'
        }): main ${((b.main * 1e6) / l.spans).toFixed(1)}, workers ${(
          (b.worker * 1e6) /
          l.spans
        ).toFixed(1)}, rest ${(
          ((b.cpu - b.main - b.worker) * 1e6) /
          l.spans
        ).toFixed(1)} ms per 1,000 spans`,
      ),
    );
  if (l.forwarded || l.failedSpans)
    console.log(
      `            forwards: ${
        l.forwardRequests
          ? `${l.forwardRequests} requests, ${(
              l.forwarded / l.forwardRequests
            ).toFixed(0)} spans each`
          : 'requests not counted by this version'
      }; ${l.failedSpans} spans decided locally after a failed forward`,
    );
  return result;
}

type Phase = ReturnType<typeof figures>;

/**
 * CPU a forwarded span costs beyond deciding it where it arrived: the difference in CPU per span
 * between the cluster and `base`, per forwarded span, in ms and as a share of `base`'s.
 */
function costOfForwarding(
  two: Phase,
  base: Phase,
  key: 'cpuMsPer1000Spans' | 'netCpuMsPer1000Spans',
) {
  const perForwarded =
    (two[key] - base[key]) / Math.max(two.shareForwarded, 1e-9);
  return { msPerSpan: perForwarded / 1000, share: perForwarded / base[key] };
}

const describeCost = (cost: ReturnType<typeof costOfForwarding>) =>
  `${cost.msPerSpan.toFixed(4)} ms CPU per forwarded span, ${(
    cost.share * 100
  ).toFixed(1)}% of a span's cost`;

/** A deterministic pseudo-random generator (mulberry32), so a run's interval can be reproduced. */
function seededRandom(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One slice of each set, measured one after the other. */
interface Slices {
  one: Load;
  pair: Load;
  two: Load;
}

/**
 * The 90% bootstrap interval of the pooled forwarding cost: the slice pairs resampled with
 * replacement 2,000 times, each sample pooled as the whole run is.
 */
function bootstrapInterval(
  slices: Slices[],
  base: 'one' | 'pair',
): [number, number] {
  const random = seededRandom(15);
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const drawn = slices.map(
      () => slices[Math.floor(random() * slices.length)],
    );
    samples.push(
      costOfForwarding(
        figures('', sumLoads(drawn.map(d => d.two)), 0),
        figures('', sumLoads(drawn.map(d => d[base])), 0),
        'netCpuMsPer1000Spans',
      ).share,
    );
  }
  samples.sort((a, b) => a - b);
  return [
    samples[Math.floor(0.05 * samples.length)],
    samples[Math.floor(0.95 * samples.length)],
  ];
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
    } cores, ${CONNECTIONS} connections; 1 replica, 2 alone and 2 clustered in turn, ${ROUNDS} slices of ${SECONDS} s each, after ${
      WARMUP_MS / 1000
    } s warm-up; ${
      RATE ? `${RATE} spans/s offered` : 'as fast as the backends answer'
    }; two-span traces, 50 spans a request, ${ATTRIBUTES} attributes a span, sampled at 10%, nothing exported`,
  );
  const bodies = encodeBodies(ATTRIBUTES);
  const started: Backend[] = [];
  try {
    const single = await startBackend(
      await freePort(),
      pgUrl,
      `${prefix}one_`,
      false,
      [],
      WORKERS,
    );
    started.push(single);
    await load([single], bodies, WARMUP_MS, CONNECTIONS);
    const oneLatency = await sequentialLatencyMs([single], bodies);

    // Two backends as they run without tracingHealth.cluster (each decides what it receives),
    // and two replicas of one cluster, side by side.
    const startTwo = async (name: string, clustered: boolean) => {
      const two: Backend[] = [];
      for (let i = 0; i < 2; i++) {
        const backend = await startBackend(
          await freePort(),
          pgUrl,
          `${prefix}${name}_`,
          clustered,
          clustered ? CLUSTER_CONFIG : [],
          WORKERS,
        );
        started.push(backend);
        two.push(backend);
      }
      return two;
    };
    const pairSet = await startTwo('pair', false);
    const clusterSet = await startTwo('two', true);
    // Both replicas see each other before the clock starts.
    const deadline = Date.now() + 30_000;
    while (
      (
        await Promise.all(
          clusterSet.map(b =>
            metricTotal(b.url, 'tracing_health_cluster_members'),
          ),
        )
      ).some(n => n !== 2)
    ) {
      if (Date.now() > deadline)
        throw new Error('the replicas never saw each other');
      await sleep(200);
    }
    await load(pairSet, bodies, WARMUP_MS, CONNECTIONS);
    await load(clusterSet, bodies, WARMUP_MS, CONNECTIONS);
    const pairLatency = await sequentialLatencyMs(pairSet, bodies);
    const clusterLatency = await sequentialLatencyMs(clusterSet, bodies);
    const idle = await idleCpuPerSecond([single, ...pairSet, ...clusterSet]);
    const sets = [
      { key: 'one', backends: [single], idle: idle.slice(0, 1) },
      { key: 'pair', backends: pairSet, idle: idle.slice(1, 3) },
      { key: 'two', backends: clusterSet, idle: idle.slice(3) },
    ] as const;
    const slices: Slices[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Each set goes first, second and third in turn.
      const slice: Partial<Slices> = {};
      for (let k = 0; k < sets.length; k++) {
        const set = sets[(round + k) % sets.length];
        slice[set.key] = await measureLoad(
          set.backends,
          set.idle,
          bodies,
          SECONDS * 1000,
        );
      }
      slices.push(slice as Slices);
    }
    if (process.env.BENCH_SHOW_LOGS)
      for (const b of clusterSet)
        console.error(`--- ${b.url} (last output)\n${b.logs().slice(-4000)}`);
    const one = report(
      '1 replica',
      sumLoads(slices.map(s => s.one)),
      oneLatency,
    );
    const pair = report(
      '2, alone',
      sumLoads(slices.map(s => s.pair)),
      pairLatency,
    );
    const two = report(
      '2 replicas',
      sumLoads(slices.map(s => s.two)),
      clusterLatency,
    );
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const shares = slices
      .map(
        ({ pair: p, two: t }) =>
          costOfForwarding(
            figures('', t, 0),
            figures('', p, 0),
            'netCpuMsPer1000Spans',
          ).share,
      )
      .sort((a, b) => a - b);
    const interval = bootstrapInterval(slices, 'pair');
    const oneInterval = bootstrapInterval(slices, 'one');
    console.log(
      `forwarding: ${(two.shareForwarded * 100).toFixed(
        1,
      )}% of spans forwarded; against the same two replicas alone, over all ${ROUNDS} slices each: ${describeCost(
        costOfForwarding(two, pair, 'netCpuMsPer1000Spans'),
      )} (target: under 20%), ${describeCost(
        costOfForwarding(two, pair, 'cpuMsPer1000Spans'),
      )} with idle CPU; 90% bootstrap interval over the slice pairs ${interval
        .map(pct)
        .join(' to ')}; per pair of slices: median ${pct(
        shares[Math.floor((shares.length - 1) / 2)],
      )}, min ${pct(shares[0])}, max ${pct(
        shares[shares.length - 1],
      )}; against one replica: ${describeCost(
        costOfForwarding(two, one, 'netCpuMsPer1000Spans'),
      )}, 90% bootstrap interval ${oneInterval
        .map(pct)
        .join(' to ')}; throughput 2 replicas / 1: ${(
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
