import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from './checkHarness';

/** Polls `probe` until it returns something truthy; fails after a generous deadline. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError ? `: ${lastError}` : ''}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

/**
 * The Debian Prometheus on 127.0.0.1 (free port, throwaway storage) scraping `targetUrl` every
 * second. `stop()` kills it and removes the storage.
 */
export async function startRealPrometheus(targetUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'th-checks-prometheus-'));
  const target = new URL(targetUrl);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: fixture',
      `    metrics_path: ${JSON.stringify(target.pathname)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(target.host)}]`,
      '',
    ].join('\n'),
  );
  const port = await unusedPort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null)
        throw new Error(`prometheus exited:\n${output}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, 'prometheus to be ready');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
