/* eslint-disable no-console */
/**
 * `yarn bench:cluster`: what running the portal as several replicas on one PostgreSQL costs.
 * Starts the real backend once alone (no `tracingHealth.cluster`), then two of them alone, then
 * two replicas of one cluster on this machine, sends the same pre-encoded OTLP protobuf traffic
 * (two-span traces with random trace ids, 50 spans a request) round robin over the replicas from
 * a few concurrent connections, and prints:
 *
 * - spans/s accepted through 1 replica, 2 alone and 2 clustered;
 * - the backends' CPU per 1,000 spans (utime + stime of the backend processes, workers included);
 * - the share of spans forwarded to their owner (tracing_health_cluster_forwarded_spans_total);
 * - the backends' CPU with no traffic (measured for 10 s before each loaded phase), which the
 *   net figures leave out: it is what two Backstage backends cost idle, not what spans cost;
 * - the forwarding cost per forwarded span: (net CPU per span of 2 clustered replicas − of the
 *   same 2 replicas alone, each deciding what it receives) / share forwarded, as a fraction of
 *   the pair's net CPU per span (target: under 20%); the same with idle CPU counted, and against
 *   one replica. The pair alone is the fair base: the same processes on the same cores at the
 *   same load per replica (a replica's CPU per span depends on its load: batching), so what
 *   differs is the routing.
 *
 * Both replicas and this load generator share the machine's cores: spans/s through 2 replicas is
 * not a scaling figure on a 2-core machine, the CPU per span is. Not a test: it prints
 * (options: --seconds N per phase, default 15; --rounds N of the two-replica phases, default 3,
 * alternating which goes first, with the median cost printed (identical runs on a 2-core machine
 * differ by up to 3x); --connections N, default 8; --rate N spans/s
 * offered in both phases, default as fast as they answer (a rate both setups keep up with
 * compares their CPU per span without the contention of a saturated machine); --workers N
 * pipeline worker threads per backend, default the machine's; --cluster-config
 * 'key: value; ...' adds tracingHealth.cluster keys to both replicas; env
 * BENCH_CPU_PROF_DIR=dir writes the replicas' CPU profiles there, BENCH_SHOW_LOGS=1 prints their
 * last output). Needs PostgreSQL (scripts/postgres.sh, started if it is not running) and `ss`.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  Backend,
  cpuSeconds,
  metricTotal,
  startBackend,
} from './cluster/backendProcess';
import { freePort, root, sleep } from './cluster/benchEnv';
import { encodeBodies, load, sequentialLatencyMs } from './cluster/traffic';

const arg = (name: string) =>
  process.argv.includes(name)
    ? process.argv[process.argv.indexOf(name) + 1]
    : undefined;
const SECONDS = Number(arg('--seconds')) || 15;
/** Rounds of (two alone, two clustered), alternating which goes first; the cost's median is printed. */
const ROUNDS = Number(arg('--rounds')) || 3;
const CONNECTIONS = Number(arg('--connections')) || 8;
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
const WARMUP_MS = 3000;
const IDLE_MS = 10_000;

/** CPU seconds per second the backends burn with no traffic (heartbeats, Backstage's own tasks). */
async function idleCpuPerSecond(backends: Backend[]) {
  const before = backends.map(b => cpuSeconds(b.pid));
  const started = performance.now();
  await sleep(IDLE_MS);
  const seconds = (performance.now() - started) / 1000;
  return (
    backends
      .map((b, i) => cpuSeconds(b.pid) - before[i])
      .reduce((a, b) => a + b, 0) / seconds
  );
}

async function phase(name: string, backends: Backend[], bodies: Buffer[]) {
  await load(backends, bodies, WARMUP_MS, CONNECTIONS);
  const latencyMs = await sequentialLatencyMs(backends, bodies);
  const idlePerSecond = await idleCpuPerSecond(backends);
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
  const { spans, refused } = await load(
    backends,
    bodies,
    SECONDS * 1000,
    CONNECTIONS,
    RATE,
  );
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
    // Without what the backends burn idle over the same time: the CPU the spans cost.
    netCpuMsPer1000Spans: ((cpu - idlePerSecond * seconds) * 1e6) / spans,
    shareForwarded: forwarded / spans,
    refusedRequests: refused,
    latencyMs,
  };
  console.log(
    `${name.padEnd(11)} ${Math.round(result.spansPerSecond)
      .toString()
      .padStart(7)} spans/s, backend CPU ${result.cpuMsPer1000Spans.toFixed(
      1,
    )} ms per 1,000 spans (${result.netCpuMsPer1000Spans.toFixed(
      1,
    )} without the ${(idlePerSecond * 1000).toFixed(0)} ms/s they use idle), ${(
      result.shareForwarded * 100
    ).toFixed(
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

type Phase = Awaited<ReturnType<typeof phase>>;

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
    } s warm-up; ${
      RATE ? `${RATE} spans/s offered` : 'as fast as the backends answer'
    }; two-span traces, 50 spans a request, sampled at 10%, nothing exported`,
  );
  const bodies = encodeBodies();
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
    const one = await phase('1 replica', [single], bodies);
    await single.stop();
    started.length = 0;

    const startTwo = async (name: string, clustered: boolean) => {
      for (let i = 0; i < 2; i++)
        started.push(
          await startBackend(
            await freePort(),
            pgUrl,
            `${prefix}${name}_`,
            clustered,
            clustered ? CLUSTER_CONFIG : [],
            WORKERS,
          ),
        );
      if (!clustered) return;
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
    };
    // Two replicas as they run without tracingHealth.cluster (each decides what it receives),
    // then clustered; the order swaps each round, so a drift of the machine does not favour one.
    const runTwo = async (round: number, clustered: boolean) => {
      await startTwo(`${clustered ? 'two' : 'pair'}${round}`, clustered);
      const result = await phase(
        clustered ? '2 replicas' : '2, alone',
        started,
        bodies,
      );
      if (clustered && process.env.BENCH_SHOW_LOGS)
        for (const b of started)
          console.error(`--- ${b.url} (last output)\n${b.logs().slice(-4000)}`);
      await Promise.all(started.map(b => b.stop()));
      started.length = 0;
      return result;
    };
    const rounds: { pair: Phase; two: Phase }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      if (ROUNDS > 1) console.log(`round ${round} of ${ROUNDS}`);
      const clusteredFirst = round % 2 === 0;
      const first = await runTwo(round, clusteredFirst);
      const second = await runTwo(round, !clusteredFirst);
      const [pair, two] = clusteredFirst ? [second, first] : [first, second];
      rounds.push({ pair, two });
      console.log(
        `forwarding: ${(two.shareForwarded * 100).toFixed(
          1,
        )}% of spans forwarded; against the same two replicas alone: ${describeCost(
          costOfForwarding(two, pair, 'netCpuMsPer1000Spans'),
        )} (target: under 20%), ${describeCost(
          costOfForwarding(two, pair, 'cpuMsPer1000Spans'),
        )} with idle CPU; against one replica: ${describeCost(
          costOfForwarding(two, one, 'netCpuMsPer1000Spans'),
        )}; throughput 2 replicas / 1: ${(
          two.spansPerSecond / one.spansPerSecond
        ).toFixed(2)}x`,
      );
    }
    if (ROUNDS > 1) {
      const shares = rounds
        .map(r => costOfForwarding(r.two, r.pair, 'netCpuMsPer1000Spans').share)
        .sort((a, b) => a - b);
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      console.log(
        `forwarding cost over ${ROUNDS} rounds (against two alone, net): median ${pct(
          shares[Math.floor((shares.length - 1) / 2)],
        )} of a span's cost, min ${pct(shares[0])}, max ${pct(
          shares[shares.length - 1],
        )} (target: under 20%)`,
      );
    }
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
