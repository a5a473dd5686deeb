/* eslint-disable no-console */
/** The real backend started for `yarn bench:cluster`: alone or as a cluster replica, on PostgreSQL. */
import {
  ChildProcess,
  execFileSync,
  spawn,
  spawnSync,
} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, sleep, yarnRelease } from './benchEnv';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;

export interface Backend {
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

export function cpuSeconds(pid: number, file = `/proc/${pid}/stat`): number {
  const stat = fs.readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 of /proc/PID/stat (11 and 12 after the command name)
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds of the threads of a process, grouped by what they are. */
export interface ThreadGroupsCpu {
  /** The main thread (its id is the process id). */
  main: number;
  /** libuv's pool (crypto, zlib, file system, DNS). */
  libuv: number;
  /** The other threads Node names after itself: pipeline workers and V8's platform threads. */
  node: number;
  /** Anything else (Node's delayed task scheduler, the inspector). */
  other: number;
}

/**
 * Reads `/proc/PID/task/*`: threads that exited are missing, so the groups may add up to less
 * than the process's CPU.
 */
export function threadGroupsCpu(pid: number): ThreadGroupsCpu {
  const groups: ThreadGroupsCpu = { main: 0, libuv: 0, node: 0, other: 0 };
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tasks) {
    let comm: string;
    let cpu: number;
    try {
      comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      cpu = cpuSeconds(pid, `/proc/${pid}/task/${tid}/stat`);
    } catch {
      continue; // exited meanwhile
    }
    if (Number(tid) === pid) groups.main += cpu;
    else if (comm === 'libuv-worker') groups.libuv += cpu;
    else if (comm === 'node') groups.node += cpu;
    else groups.other += cpu;
  }
  return groups;
}

export async function startBackend(
  port: number,
  pgUrl: string,
  prefix: string,
  clustered: boolean,
  /** More `tracingHealth.cluster` lines ('key: value') for a clustered backend. */
  clusterConfig: readonly string[] = [],
  /** `tracingHealth.pipeline.workers` (absent: the default for this machine). */
  workers?: number,
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
            ...clusterConfig.map(line => `    ${line}`),
          ]
        : []),
      '  sampling:',
      '    default:',
      '      strategy: { type: probabilistic, rate: 0.1 }',
      '      alwaysKeep: { keepErrors: false }',
      '    tail: { decisionWaitMs: 2000 }',
      '  pipeline:',
      ...(workers === undefined ? [] : [`    workers: ${workers}`]),
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
        ...(process.env.BENCH_CPU_PROF_DIR
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
  // Where to keep each backend's whole output (e.g. with NODE_OPTIONS=--trace-gc).
  if (process.env.BENCH_LOG_DIR) {
    const file = fs.createWriteStream(
      path.join(process.env.BENCH_LOG_DIR, `${prefix}${port}.log`),
    );
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
  }
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

/** The sum of a metric's samples whose labels include `labels` (all of them by default). */
export async function metricTotal(
  url: string,
  name: string,
  labels = '',
): Promise<number> {
  const text = await (await fetch(`${url}/api/tracing-health/metrics`)).text();
  return text
    .split('\n')
    .filter(
      line =>
        (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) &&
        line.includes(labels),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
