import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  /** Runs an instant query; returns the result vector/scalar as Prometheus returns it. */
  query(expr: string): Promise<{ resultType: string; result: any[] }>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian package) on loopback, scraping the given targets every second with a
 * throwaway storage directory.
 */
export async function startPrometheus(options: {
  targets: Array<{ job: string; url: string }>;
}): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-prometheus-'));
  const scrapeConfigs = options.targets.map(t => {
    const u = new URL(t.url);
    return [
      `  - job_name: ${JSON.stringify(t.job)}`,
      `    scrape_interval: 1s`,
      `    metrics_path: ${JSON.stringify(u.pathname)}`,
      `    static_configs:`,
      `      - targets: [${JSON.stringify(u.host)}]`,
    ].join('\n');
  });
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${scrapeConfigs.join(
      '\n',
    )}\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited:\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready:\n${output}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }
  const query = async (expr: string) => {
    const res = await fetch(
      `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    const body = (await res.json()) as any;
    if (body.status !== 'success') {
      throw new Error(`query failed: ${expr}: ${body.error ?? res.status}`);
    }
    return body.data;
  };
  return { url, query, stop };
}

/** Polls until `probe` returns a truthy value or the deadline passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${options.what ?? 'condition'}${
          lastError ? `: ${lastError}` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, options.intervalMs ?? 500));
  }
}
