/* eslint-disable no-console */
/**
 * `yarn bench:checks`: one cycle over 500 http check targets on loopback, one of which accepts
 * the connection and never answers, with bounded concurrency (default 16, env
 * CHECKS_BENCH_CONCURRENCY). All 500 are started at once, as the scheduler does when they fall
 * due together; prints wall time, when the 499 answering targets were done, peak memory, and
 * the statuses stored.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { migrateDatabase } from '../src/database/migrateDatabase';
import { CheckRunner } from '../src/checks/CheckRunner';
import { readChecksConfig } from '../src/checks/config/readChecksConfig';
import { ConcurrencyLimiter } from '../src/checks/lib/ConcurrencyLimiter';
import { CheckResultStore } from '../src/checks/store/CheckResultStore';
import { httpCheckType } from '../src/checks/types/http';

const TARGETS = 500;
const CONCURRENCY = Number(process.env.CHECKS_BENCH_CONCURRENCY ?? 16);
const TIMEOUT = '5s';

const silentLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => silentLogger,
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main() {
  const answering = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`ok ${req.url}`);
  });
  const hung = createServer(() => {});
  const answeringUrl = await listen(answering);
  const hungUrl = await listen(hung);

  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  await migrateDatabase(knex);
  const types = new Map([[httpCheckType.type, httpCheckType]]);
  const checks = readChecksConfig(
    new ConfigReader({
      tracingHealth: {
        checkScheduler: { concurrency: CONCURRENCY },
        checks: Array.from({ length: TARGETS }, (_, i) => ({
          id: `target-${i}`,
          type: 'http',
          target: i === 0 ? `${hungUrl}/` : `${answeringUrl}/service-${i}`,
          timeout: TIMEOUT,
        })),
      },
    }),
    types,
  ).checks;
  const store = new CheckResultStore(knex);
  const limiter = new ConcurrencyLimiter(CONCURRENCY);
  const runner = new CheckRunner({
    types,
    store,
    limiter,
    logger: silentLogger,
  });

  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  let maxActive = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    maxActive = Math.max(maxActive, limiter.active);
  }, 5);

  const signal = new AbortController().signal;
  const started = performance.now();
  let othersDoneAt = 0;
  let othersDone = 0;
  const results = await Promise.all(
    checks.map(async check => {
      const result = await runner.run(check, signal);
      if (check.id !== 'target-0' && ++othersDone === TARGETS - 1) {
        othersDoneAt = performance.now() - started;
      }
      return result;
    }),
  );
  const wall = performance.now() - started;
  clearInterval(sampler);
  const after = process.memoryUsage();

  const statuses = results.reduce<Record<string, number>>((acc, r) => {
    acc[r!.status] = (acc[r!.status] ?? 0) + 1;
    return acc;
  }, {});
  const stored = await knex('tracing_health_check_runs').count('* as n');
  const hungResult = results[0]!;
  const durations = results
    .slice(1)
    .map(r => r!.durationMs)
    .sort((a, b) => a - b);
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

  console.log(
    `checks bench: ${TARGETS} http targets (1 hung, timeout ${TIMEOUT}), concurrency ${CONCURRENCY}`,
  );
  console.log(
    `  wall time, whole cycle:           ${(wall / 1000).toFixed(2)} s`,
  );
  console.log(
    `  499 answering targets done after: ${(othersDoneAt / 1000).toFixed(2)} s`,
  );
  console.log(
    `  per-check duration p50 / p99:     ${durations[
      Math.floor(durations.length * 0.5)
    ].toFixed(1)} ms / ${durations[Math.floor(durations.length * 0.99)].toFixed(
      1,
    )} ms`,
  );
  console.log(
    `  most checks running at once:      ${maxActive} (limit ${CONCURRENCY})`,
  );
  console.log(
    `  hung target:                      ${hungResult.status}: ${hungResult.message}`,
  );
  console.log(
    `  statuses:                         ${JSON.stringify(
      statuses,
    )}; runs stored: ${stored[0].n}`,
  );
  console.log(
    `  RSS before / peak / after:        ${mb(before.rss)} / ${mb(
      peakRss,
    )} / ${mb(after.rss)}`,
  );
  console.log(
    `  heap used before / peak / after:  ${mb(before.heapUsed)} / ${mb(
      peakHeap,
    )} / ${mb(after.heapUsed)}`,
  );

  await knex.destroy();
  answering.close();
  hung.closeAllConnections();
  hung.close();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
