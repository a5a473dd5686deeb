import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line no-restricted-syntax -- the suites run from source, never built
export const repoRoot = path.resolve(__dirname, '../..');
export const E2E_BASE_URL = 'http://127.0.0.1:7017';
export const DEV_INGEST_TOKEN = 'tracing-health-dev-ingest-token';
export const outputDir = path.join(repoRoot, 'test-output');

const yarnRelease = path.join(
  repoRoot,
  '.yarn/releases',
  fs
    .readdirSync(path.join(repoRoot, '.yarn/releases'))
    .find(f => f.endsWith('.cjs'))!,
);

/** Builds packages/app once per run (the backend's app plugin serves packages/app/dist). */
export function ensureAppBuilt() {
  if (fs.existsSync(path.join(repoRoot, 'packages/app/dist/index.html')))
    return;
  const result = spawnSync(
    process.execPath,
    [yarnRelease, 'workspace', 'app', 'build'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('yarn workspace app build failed');
}

export interface RunningPortal {
  baseUrl: string;
  sqliteDir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Starts the real backend (embedded default + e2e overrides) and waits until it is healthy. */
export async function startPortal(
  options: {
    extraConfig?: string[];
    /** More app-config, as YAML text, layered last. */
    configYaml?: string;
    env?: Record<string, string>;
    sqliteDir?: string;
    /**
     * Where this backend listens (default the e2e port, 7017); the caller's configYaml must set
     * `backend.listen.port` and `backend.baseUrl` to match (several backends in one suite).
     */
    baseUrl?: string;
  } = {},
): Promise<RunningPortal> {
  const baseUrl = options.baseUrl ?? E2E_BASE_URL;
  // A backend already on the port would answer our health probe and be tested instead.
  const stale = await fetch(`${baseUrl}/api/tracing-health/health`).catch(
    () => undefined,
  );
  if (stale)
    throw new Error(`something already listens on ${baseUrl}; stop it first`);
  const sqliteDir =
    options.sqliteDir ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'tracing-health-e2e-'));
  const configArgs = [
    'app-config.yaml',
    'test/app-config.e2e.yaml',
    ...(options.extraConfig ?? []),
    ...(options.configYaml ? [writeConfigFile(options.configYaml)] : []),
  ].flatMap(f => ['--config', path.resolve(repoRoot, f)]);
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [yarnRelease, 'workspace', 'backend', 'start', ...configArgs],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        TRACING_HEALTH_SQLITE_DIR: sqliteDir,
        ...options.env,
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const stop = async () => {
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
        /* already gone */
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/tracing-health/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`backend not healthy within 120 s:\n${output}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
  return { baseUrl, sqliteDir, logs: () => output, stop };
}

function writeConfigFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-e2e-config-'));
  const file = path.join(dir, 'app-config.e2e-extra.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

/** The sum over all series of one metric on the portal's `/metrics`. */
export async function metricTotal(
  baseUrl: string,
  name: string,
): Promise<number> {
  const text = await (
    await fetch(`${baseUrl}/api/tracing-health/metrics`)
  ).text();
  return text
    .split('\n')
    .filter(line => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** received = exported + dropped + refused, i.e. the pipeline holds nothing any more. */
export async function pipelineSettled(
  baseUrl: string,
  minimumReceived = 0,
): Promise<boolean> {
  const received = await metricTotal(
    baseUrl,
    'tracing_health_pipeline_spans_received_total',
  );
  const settled =
    (await metricTotal(
      baseUrl,
      'tracing_health_pipeline_spans_exported_total',
    )) +
    (await metricTotal(
      baseUrl,
      'tracing_health_pipeline_spans_dropped_total',
    )) +
    (await metricTotal(baseUrl, 'tracing_health_pipeline_spans_refused_total'));
  return received >= minimumReceived && settled === received;
}

/** A Backstage user token from the guest provider of the embedded default. */
export async function guestToken(baseUrl = E2E_BASE_URL): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const body = (await res.json()) as any;
  return body.backstageIdentity.token;
}

/**
 * A guest token whose ownership includes `group` (the guest user's group in examples/org.yaml):
 * a sign-in before the catalog has ingested the user would carry no group for its lifetime.
 */
export async function guestTokenOwning(
  group = 'group:default/fulfilment-team',
  baseUrl = E2E_BASE_URL,
): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    const body = (await res.json()) as any;
    const refs: string[] =
      body.backstageIdentity?.identity?.ownershipEntityRefs ?? [];
    if (refs.includes(group)) return body.backstageIdentity.token;
    if (Date.now() > deadline)
      throw new Error(`guest never owned ${group}: ${refs}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

/** Waits until the catalog has ingested the example entities. */
export async function waitForCatalog(baseUrl = E2E_BASE_URL, minServices = 12) {
  const token = await guestToken(baseUrl);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/tracing-health/services`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = res.ok ? ((await res.json()) as any) : { items: [] };
    if (body.items.length >= minServices) return body.items;
    if (Date.now() > deadline)
      throw new Error('catalog did not load the examples');
    await new Promise(r => setTimeout(r, 500));
  }
}
