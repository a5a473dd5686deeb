/* eslint-disable no-console */
// `yarn workspace backend check:bundle`: proves the production backend bundle, what a Backstage
// Dockerfile ships (`yarn build:backend`, then the skeleton installed with `yarn workspaces focus
// --all --production` and the bundle unpacked over it), installs and serves with the production
// config on PostgreSQL: the portal becomes healthy, takes an OTLP request with the ingest token,
// refuses a malformed one with 400, runs its pipeline in worker threads started from the built
// worker module, reports the spans on /metrics to the read token, and stops cleanly on SIGTERM.
// Needs scripts/postgres.sh's PostgreSQL (started if it is not running). Exits non-zero, saying
// why, when any of it fails.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PIPELINE_METRICS } from '@internal/tracing-model';

const root = path.resolve(__dirname, '../../..');
const yarnRelease = path.join(
  root,
  '.yarn/releases',
  fs.readdirSync(path.join(root, '.yarn/releases'))[0],
);
const WORKERS = 2;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function fail(message: string): never {
  throw new Error(`check:bundle: ${message}`);
}

function run(args: string[], cwd: string) {
  console.log(`$ yarn ${args.join(' ')}   (in ${cwd})`);
  execFileSync(process.execPath, [yarnRelease, ...args], {
    cwd,
    stdio: 'inherit',
  });
}

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

function psql(pgUrl: string, sql: string): string {
  return execFileSync('psql', [pgUrl, '-Atc', sql], {
    encoding: 'utf8',
  }).trim();
}

/** One two-span trace as OTLP/JSON. */
function otlpJson(service: string) {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string, name: string) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 5_000_000n),
    status: {},
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'check-bundle' },
            spans: [
              span(rootId, '', 'GET /'),
              span(randomBytes(8).toString('hex'), rootId, 'SELECT'),
            ],
          },
        ],
      },
    ],
  });
}

function metricSum(text: string, name: string, labels = ''): number {
  return text
    .split('\n')
    .filter(
      line =>
        (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) &&
        line.includes(labels),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function main() {
  const pgUrl = execFileSync(path.join(root, 'scripts/postgres.sh'), {
    encoding: 'utf8',
  }).trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'th-bundle-'));
  const prefix = `th_bundle_${Date.now()}_`;
  let child: ChildProcess | undefined;
  let output = '';
  try {
    run(['build:backend'], root);
    const dist = path.join(root, 'packages/backend/dist');
    // As Backstage's Dockerfile does: the skeleton and lockfile, a production install, the bundle.
    execFileSync('tar', [
      'xzf',
      path.join(dist, 'skeleton.tar.gz'),
      '-C',
      work,
    ]);
    for (const file of ['yarn.lock', 'package.json', '.yarnrc.yml'])
      fs.copyFileSync(path.join(root, file), path.join(work, file));
    fs.cpSync(
      path.join(root, '.yarn/releases'),
      path.join(work, '.yarn/releases'),
      { recursive: true },
    );
    run(['workspaces', 'focus', '--all', '--production'], work);
    execFileSync('tar', ['xzf', path.join(dist, 'bundle.tar.gz'), '-C', work]);
    if (fs.existsSync(path.join(work, 'packages/tracing-pipeline/src')))
      fail('the bundle ships the pipeline source, not only its build');
    for (const file of ['app-config.yaml', 'app-config.production.yaml'])
      fs.copyFileSync(path.join(root, file), path.join(work, file));
    fs.cpSync(path.join(root, 'examples'), path.join(work, 'examples'), {
      recursive: true,
    });

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const ingestToken = randomBytes(24).toString('hex');
    const readToken = randomBytes(24).toString('hex');
    const pg = new URL(pgUrl);
    // Only what a test machine needs on top of production: loopback, a free port, its own
    // databases, and pipeline workers even on a small machine.
    fs.writeFileSync(
      path.join(work, 'app-config.check.yaml'),
      [
        'app:',
        `  baseUrl: ${url}`,
        'backend:',
        `  baseUrl: ${url}`,
        `  listen: 127.0.0.1:${port}`,
        '  database:',
        `    prefix: ${prefix}`,
        'tracingHealth:',
        '  pipeline:',
        `    workers: ${WORKERS}`,
        '',
      ].join('\n'),
    );
    console.log(`starting the bundled backend on ${url}`);
    child = spawn(
      process.execPath,
      [
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.production.yaml',
        '--config',
        'app-config.check.yaml',
      ],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          POSTGRES_HOST: pg.hostname,
          POSTGRES_PORT: pg.port || '5432',
          POSTGRES_USER: decodeURIComponent(pg.username),
          POSTGRES_PASSWORD: decodeURIComponent(pg.password),
          TRACING_HEALTH_INGEST_TOKEN: ingestToken,
          TRACING_HEALTH_READ_TOKEN: readToken,
          AUTH_GITHUB_CLIENT_ID: 'check-bundle',
          AUTH_GITHUB_CLIENT_SECRET: 'check-bundle',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', d => (output = (output + d).slice(-30_000)));
    child.stderr!.on('data', d => (output = (output + d).slice(-30_000)));
    const exited = new Promise<number | null>(resolve =>
      child!.once('exit', code => resolve(code)),
    );

    const api = `${url}/api/tracing-health`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null)
        fail(`the backend exited with ${child.exitCode} while starting`);
      const ok = await fetch(`${api}/health`)
        .then(r => r.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline)
        fail('the backend was not healthy within 120 s');
      await sleep(500);
    }
    console.log('healthy');

    const ingest = (body: string, token = ingestToken) =>
      fetch(`${api}/v1/traces`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body,
      });
    const taken = await ingest(otlpJson('check-bundle'));
    if (taken.status !== 200)
      fail(`OTLP request answered ${taken.status}: ${await taken.text()}`);
    const malformed = await ingest('{"resourceSpans": [');
    if (malformed.status !== 400)
      fail(`malformed OTLP answered ${malformed.status}, not 400`);
    const wrongToken = await ingest(otlpJson('check-bundle'), readToken);
    if (wrongToken.status !== 403)
      fail(`OTLP with the read token answered ${wrongToken.status}, not 403`);
    console.log('OTLP: 200 taken, 400 malformed, 403 with the read token');

    const metrics = async () => {
      const res = await fetch(`${api}/metrics`, {
        headers: { authorization: `Bearer ${readToken}` },
      });
      if (res.status !== 200) fail(`/metrics answered ${res.status}`);
      return res.text();
    };
    const unauthenticated = await fetch(`${api}/metrics`);
    if (unauthenticated.status !== 401)
      fail(`/metrics without a token answered ${unauthenticated.status}`);
    // Workers report aggregates every 2 s; one collection answers scrapes for cacheSeconds (10).
    let text = '';
    for (let i = 0; i < 60; i++) {
      text = await metrics();
      if (metricSum(text, PIPELINE_METRICS.spansReceived) >= 2) break;
      await sleep(500);
    }
    if (metricSum(text, PIPELINE_METRICS.spansReceived) < 2)
      fail(`/metrics does not count the 2 spans sent:\n${text.slice(0, 3000)}`);
    if (!text.includes(`${PIPELINE_METRICS.threadCpuSeconds}{thread="worker"}`))
      fail('no pipeline worker thread reports its CPU');
    if (!/"embedded tracing pipeline started"[^\n]*"workers":2/.test(output))
      fail(`the pipeline did not start ${WORKERS} workers`);
    console.log(
      `/metrics: ${metricSum(
        text,
        PIPELINE_METRICS.spansReceived,
      )} spans received, pipeline workers running from the build`,
    );

    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'hung')]);
    if (code !== 0) fail(`SIGTERM: the backend ended with ${code}, not 0`);
    child = undefined;
    console.log(
      'check:bundle: the production bundle installs, serves and stops',
    );
  } catch (e) {
    console.error(
      `--- the bundled backend's last output\n${output.slice(-6000)}`,
    );
    throw e;
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
    try {
      for (const db of psql(
        pgUrl,
        `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`,
      )
        .split('\n')
        .filter(Boolean))
        psql(pgUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    } catch (e) {
      console.error(`could not drop the check's databases: ${e}`);
    }
  }
}

main().catch(e => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
