import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOtlpSink } from '../otlpSink';
import {
  DEV_INGEST_TOKEN,
  E2E_BASE_URL,
  guestTokenOwning,
  metricTotal,
  outputDir,
  pipelineSettled,
  repoRoot,
  RunningPortal,
  startPortal,
} from '../portal';
import { eventually, freePort } from '../prometheus';

jest.setTimeout(600_000);

/**
 * Two portal replicas on one PostgreSQL (scripts/postgres.sh) behind a real haproxy (round
 * robin), and three OpenTelemetry SDK processes, one per service, whose spans of the SAME traces
 * go through the balancer: every trace must reach the exporter whole, decided by its one owner.
 */

// PostgreSQL: the suite's one precondition that may be missing (a machine without its binaries).
const pgWasRunning =
  spawnSync('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.1/55432'], {
    stdio: 'ignore',
  }).status === 0;
const pg = spawnSync(path.join(repoRoot, 'scripts/postgres.sh'), {
  encoding: 'utf8',
});
const pgUrl = pg.status === 0 ? pg.stdout.trim() : undefined;
if (!pgUrl) {
  // eslint-disable-next-line no-console
  console.warn(
    `clusterReplicas e2e skipped: PostgreSQL could not start (scripts/postgres.sh: ${
      pg.stderr?.trim() || pg.error?.message || `exit ${pg.status}`
    })`,
  );
}
const describeWithPostgres = pgUrl ? describe : describe.skip;

/** The process listening on a local TCP port (the backend itself, under yarn and the CLI). */
function listenerPid(port: number): number | undefined {
  const out =
    spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' })
      .stdout ?? '';
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const HAPROXY =
  ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find(p => fs.existsSync(p)) ??
  'haproxy';
const REFRESH_SECONDS = 2;
const SERVICES = ['e2e-cluster-web', 'e2e-cluster-api', 'e2e-cluster-db'];
const RATE = 0.2;
/** A check both replicas configure: the scheduler must run it once per interval in all. */
const CHECK_ID = 'cluster-e2e-health';
const CHECK_INTERVAL_SECONDS = 2;

interface PlannedTrace {
  traceId: string;
  spanIds: string[];
  error: number[];
}

const plan = (count: number, error: (i: number) => number[]): PlannedTrace[] =>
  Array.from({ length: count }, (_, i) => ({
    traceId: randomBytes(16).toString('hex'),
    spanIds: SERVICES.map(() => randomBytes(8).toString('hex')),
    error: error(i),
  }));

/**
 * One SDK process per service, all emitting their hop of the same traces through `url` (or each
 * hop through its own: `url[hop]`).
 */
function runServices(
  url: string | string[],
  traces: PlannedTrace[],
  perSecond: number,
  hops = SERVICES.map((_, hop) => hop),
) {
  const client = path.join(repoRoot, 'test/fixtures/cluster-sdk-client.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-e2e-cluster-sdk-'));
  // The plan goes in a file: a few thousand trace ids do not fit in the environment.
  const writePlan = (service: string, hop: number) => {
    const file = path.join(dir, `${service}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        url: typeof url === 'string' ? url : url[hop],
        token: DEV_INGEST_TOKEN,
        service,
        hop,
        traces,
        perSecond,
        batchSize: 20,
      }),
    );
    return file;
  };
  return Promise.all(
    hops.map(
      hop =>
        new Promise<{ accepted: string[]; failed: string[] }>(
          (resolve, reject) =>
            execFile(
              process.execPath,
              [client],
              {
                cwd: repoRoot,
                maxBuffer: 64 * 1024 * 1024,
                timeout: 120_000,
                env: {
                  ...process.env,
                  CLUSTER_SDK_CLIENT: writePlan(SERVICES[hop], hop),
                },
              },
              (error, stdout, stderr) =>
                error
                  ? reject(
                      new Error(
                        `${SERVICES[hop]} SDK client failed: ${error.message}\n${stderr}`,
                      ),
                    )
                  : resolve(JSON.parse(stdout)),
            ),
        ),
    ),
  ).then(results => ({
    accepted: results.flatMap(r => r.accepted),
    failed: results.flatMap(r => r.failed),
  }));
}

/** haproxy in the foreground, round robin over the replicas, on 127.0.0.1 only. */
async function startHaproxy(port: number, backends: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-e2e-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 2000',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      '  retries 3',
      '  option redispatch',
      'frontend portal',
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /api/tracing-health/health',
      ...backends.map(
        (b, i) =>
          `  server replica${i} ${
            new URL(b).host
          } check inter 500 fall 1 rise 2`,
      ),
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', cfg], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
      return (await fetch(`${url}/api/tracing-health/health`)).ok;
    },
    { what: `haproxy on ${url}`, timeoutMs: 20_000, intervalMs: 200 },
  );
  return {
    url,
    logs: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const replicaConfig = (
  baseUrl: string,
  prefix: string,
  sinkUrl: string,
  decisionWaitMs = 3000,
) => {
  const port = new URL(baseUrl).port;
  return [
    'app:',
    `  baseUrl: ${baseUrl}`,
    'backend:',
    `  baseUrl: ${baseUrl}`,
    `  listen: { host: 127.0.0.1, port: ${port} }`,
    `  cors: { origin: ${baseUrl} }`,
    '  database:',
    '    client: pg',
    `    connection: ${pgUrl}`,
    `    prefix: ${prefix}`,
    'tracingHealth:',
    '  coverage: { completenessWindowSeconds: 5 }',
    '  checks:',
    `    - { id: ${CHECK_ID}, type: http, title: Replica health, target: /api/tracing-health/health, interval: ${CHECK_INTERVAL_SECONDS}s, timeout: ${CHECK_INTERVAL_SECONDS}s }`,
    '  cluster:',
    `    advertiseUrl: ${baseUrl}`,
    '    heartbeatSeconds: 1',
    '    memberTtlSeconds: 5',
    '  sampling:',
    `    refreshSeconds: ${REFRESH_SECONDS}`,
    // The guest may then set the policy of services without a catalog component.
    '    adminGroups: [group:default/fulfilment-team]',
    '    adaptive: { intervalMs: 2000 }',
    '    default:',
    `      strategy: { type: probabilistic, rate: ${RATE} }`,
    '      alwaysKeep: { keepErrors: true }',
    `    tail: { decisionWaitMs: ${decisionWaitMs}, tickIntervalMs: 200 }`,
    '  pipeline:',
    '    batch: { timeoutMs: 100 }',
    '    exporters:',
    '      - name: sink',
    `        endpoint: ${sinkUrl}`,
    '',
  ].join('\n');
};

const PIPELINE = {
  received: 'tracing_health_pipeline_spans_received_total',
  exported: 'tracing_health_pipeline_spans_exported_total',
  dropped: 'tracing_health_pipeline_spans_dropped_total',
  refused: 'tracing_health_pipeline_spans_refused_total',
};

/** A span metric of one service (and `complete` label, if given), summed over the replicas. */
async function serviceMetric(
  baseUrls: string[],
  name: string,
  service: string,
  complete?: 'true' | 'false',
) {
  let sum = 0;
  for (const baseUrl of baseUrls) {
    const text = await (
      await fetch(`${baseUrl}/api/tracing-health/metrics`)
    ).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      if (!line.includes(`service="${service}"`)) continue;
      if (complete && !line.includes(`complete="${complete}"`)) continue;
      sum += Number(line.split(' ').pop());
    }
  }
  return sum;
}

const ORPHANS = 'tracing_health_service_orphan_spans_total';
const JUDGED = 'tracing_health_service_traces_judged_total';

async function counters(baseUrl: string) {
  const out: Record<keyof typeof PIPELINE, number> = {
    received: 0,
    exported: 0,
    dropped: 0,
    refused: 0,
  };
  for (const key of Object.keys(PIPELINE) as (keyof typeof PIPELINE)[])
    out[key] = await metricTotal(baseUrl, PIPELINE[key]);
  return out;
}

describeWithPostgres(
  'two portal replicas on one PostgreSQL behind haproxy',
  () => {
    const figures: Record<string, unknown> = {};
    let sink: Awaited<ReturnType<typeof startOtlpSink>>;
    let a: RunningPortal;
    let b: RunningPortal | undefined;
    let lb: Awaited<ReturnType<typeof startHaproxy>>;
    let guest: Promise<string>;
    let bothUpAt = 0;
    // Fresh databases for this run: the replicas' plugins get `<prefix><plugin>` on the server.
    const prefix = `th_cluster_e2e_${Date.now()}_`;

    beforeAll(async () => {
      const started = Date.now();
      sink = await startOtlpSink();
      const aUrl = E2E_BASE_URL;
      const bUrl = `http://127.0.0.1:${await freePort()}`;
      // One after the other: both run the same migrations on the same databases.
      a = await startPortal({
        baseUrl: aUrl,
        configYaml: replicaConfig(aUrl, prefix, sink.endpoint),
      });
      b = await startPortal({
        baseUrl: bUrl,
        configYaml: replicaConfig(bUrl, prefix, sink.endpoint),
      });
      lb = await startHaproxy(await freePort(), [aUrl, bUrl]);
      // Both replicas see each other before traffic starts.
      await eventually(
        async () =>
          (await metricTotal(a.baseUrl, 'tracing_health_cluster_members')) ===
            2 &&
          (await metricTotal(b!.baseUrl, 'tracing_health_cluster_members')) ===
            2,
        {
          what: 'two members on both replicas',
          timeoutMs: 30_000,
          intervalMs: 200,
        },
      );
      bothUpAt = Date.now();
      // The catalog (fresh on PostgreSQL) loads while the first test sends traffic.
      guest = guestTokenOwning('group:default/fulfilment-team', a.baseUrl);
      guest.catch(() => undefined);
      figures.startupSeconds = (Date.now() - started) / 1000;
    });

    afterAll(async () => {
      await lb?.stop();
      await b?.stop();
      await a?.stop();
      await sink?.close();
      if (!pgWasRunning)
        spawnSync(path.join(repoRoot, 'scripts/postgres.sh'), ['stop']);
      fs.mkdirSync(outputDir, { recursive: true });
      fs.writeFileSync(
        path.join(outputDir, 'cluster-replicas-e2e.json'),
        `${JSON.stringify(figures, null, 2)}\n`,
      );
      // eslint-disable-next-line no-console
      console.log(`clusterReplicas figures: ${JSON.stringify(figures)}`);
    });

    const spansOf = (traceIds: Set<string>) =>
      sink.spans.filter(
        s => SERVICES.includes(s.service) && traceIds.has(s.traceId),
      );

    it('exports every kept trace whole, errors kept wherever their error span arrived, at the policy rate', async () => {
      const traces = 1500;
      // One trace in 10 fails in its last hop (the db service): keepErrors must keep it whole.
      const planned = plan(traces, i => (i % 10 === 0 ? [2] : []));
      const sent = await runServices(
        `${lb.url}/api/tracing-health/v1/traces`,
        planned,
        300,
      );
      expect(sent.failed).toEqual([]);
      expect(sent.accepted).toHaveLength(traces * SERVICES.length);

      await eventually(
        async () =>
          (await pipelineSettled(a.baseUrl)) &&
          (await pipelineSettled(b!.baseUrl)) &&
          (await metricTotal(a.baseUrl, PIPELINE.received)) +
            (await metricTotal(b!.baseUrl, PIPELINE.received)) >=
            traces * SERVICES.length,
        {
          what: 'both replicas to decide and deliver every span',
          timeoutMs: 60_000,
        },
      );

      const ids = new Set(planned.map(t => t.traceId));
      const byTrace = new Map<string, number>();
      for (const s of spansOf(ids))
        byTrace.set(s.traceId, (byTrace.get(s.traceId) ?? 0) + 1);
      const broken = [...byTrace.values()].filter(
        n => n !== SERVICES.length,
      ).length;
      const errorTraces = planned
        .filter(t => t.error.length)
        .map(t => t.traceId);
      const keptErrors = errorTraces.filter(
        id => byTrace.get(id) === SERVICES.length,
      ).length;
      const others = traces - errorTraces.length;
      const keptOthers =
        byTrace.size - errorTraces.filter(id => byTrace.has(id)).length;
      const sigma = Math.sqrt(others * RATE * (1 - RATE));
      const forwarded = [
        await metricTotal(
          a.baseUrl,
          'tracing_health_cluster_forwarded_spans_total',
        ),
        await metricTotal(
          b!.baseUrl,
          'tracing_health_cluster_forwarded_spans_total',
        ),
      ];
      Object.assign(figures, {
        traces,
        keptTraces: byTrace.size,
        brokenTraces: broken,
        errorTraces: errorTraces.length,
        errorTracesKeptWhole: keptErrors,
        keptOtherTraces: keptOthers,
        expectedOtherTraces: others * RATE,
        sigma: +sigma.toFixed(1),
        spansForwardedByReplica: forwarded,
        forwardFailures:
          (await metricTotal(
            a.baseUrl,
            'tracing_health_cluster_forward_failures_total',
          )) +
          (await metricTotal(
            b!.baseUrl,
            'tracing_health_cluster_forward_failures_total',
          )),
      });

      expect(broken).toBe(0);
      expect(keptErrors).toBe(errorTraces.length);
      expect(Math.abs(keptOthers - others * RATE)).toBeLessThan(5 * sigma);
      // The balancer spread the SDKs' requests: each replica received spans another one owns.
      expect(forwarded.every(n => n > 0)).toBe(true);

      // The fleet page's view, from either replica.
      const status = await (
        await fetch(`${b!.baseUrl}/api/tracing-health/cluster`, {
          headers: { authorization: `Bearer ${await guest}` },
        })
      ).json();
      expect(status).toMatchObject({ enabled: true, self: b!.baseUrl });
      expect(status.members.map((m: { id: string }) => m.id).sort()).toEqual(
        [a.baseUrl, b!.baseUrl].sort(),
      );

      // Completeness is judged by each trace's owner, which saw all of its spans: the replicas
      // together judge every trace once, complete, and count no false orphan.
      const replicas = [a.baseUrl, b!.baseUrl];
      await eventually(
        async () =>
          (await serviceMetric(replicas, JUDGED, 'e2e-cluster-db')) >= traces,
        { what: 'every trace judged for completeness', timeoutMs: 60_000 },
      );
      const incomplete: number[] = [];
      const orphans: number[] = [];
      for (const service of SERVICES) {
        incomplete.push(
          await serviceMetric(replicas, JUDGED, service, 'false'),
        );
        orphans.push(await serviceMetric(replicas, ORPHANS, service));
      }
      Object.assign(figures, {
        judgedTraces: await serviceMetric(replicas, JUDGED, 'e2e-cluster-db'),
        incompleteTracesByService: incomplete,
        orphanSpansByService: orphans,
      });
      expect(await serviceMetric(replicas, JUDGED, 'e2e-cluster-db')).toBe(
        traces,
      );
      expect(incomplete).toEqual([0, 0, 0]);
      expect(orphans).toEqual([0, 0, 0]);
    });

    it('names as orphans the spans of the service whose parent never arrives (an untraced hop in between)', async () => {
      const replicas = [a.baseUrl, b!.baseUrl];
      const before = {
        web: await serviceMetric(replicas, ORPHANS, 'e2e-cluster-web'),
        db: await serviceMetric(replicas, ORPHANS, 'e2e-cluster-db'),
        judgedDb: await serviceMetric(replicas, JUDGED, 'e2e-cluster-db'),
        incompleteDb: await serviceMetric(
          replicas,
          JUDGED,
          'e2e-cluster-db',
          'false',
        ),
      };
      // The api hop propagates the context but sends no spans: db's parent never arrives.
      const traces = 200;
      const sent = await runServices(
        `${lb.url}/api/tracing-health/v1/traces`,
        plan(traces, () => []),
        200,
        [0, 2],
      );
      expect(sent.failed).toEqual([]);
      await eventually(
        async () =>
          (await serviceMetric(replicas, JUDGED, 'e2e-cluster-db')) -
            before.judgedDb >=
          traces,
        { what: 'the new traces judged', timeoutMs: 60_000 },
      );
      const delta = {
        webOrphans:
          (await serviceMetric(replicas, ORPHANS, 'e2e-cluster-web')) -
          before.web,
        dbOrphans:
          (await serviceMetric(replicas, ORPHANS, 'e2e-cluster-db')) -
          before.db,
        dbIncomplete:
          (await serviceMetric(replicas, JUDGED, 'e2e-cluster-db', 'false')) -
          before.incompleteDb,
      };
      figures.orphansWithUntracedHop = delta;
      expect(delta).toEqual({
        webOrphans: 0,
        dbOrphans: traces,
        dbIncomplete: traces,
      });
    });

    it('applies on replica B, within its refresh interval, a policy changed through replica A', async () => {
      const token = await guest;
      const rate = 0.37;
      const served = async () =>
        (
          await (
            await fetch(
              `${b!.baseUrl}/api/tracing-health/sampling?service=orders`,
            )
          ).json()
        ).probabilisticSampling?.samplingRate;
      expect(await served()).not.toBeCloseTo(rate);
      const res = await fetch(
        `${a.baseUrl}/api/tracing-health/policies/orders`,
        {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            reason: 'e2e: changed through replica A',
            // Sampled in the SDKs: the Jaeger endpoint serves the rate itself.
            policy: {
              strategy: { type: 'probabilistic', rate },
              samplingLocation: 'sdk',
            },
          }),
        },
      );
      const body = await res.json();
      expect(res.status).toBe(200);
      const changedAt = Date.now();
      await eventually(async () => Math.abs((await served()) - rate) < 1e-9, {
        what: 'replica B to serve the new rate',
        timeoutMs: 15_000,
        intervalMs: 50,
      }).catch(async e => {
        const onA = await (
          await fetch(`${a.baseUrl}/api/tracing-health/sampling?service=orders`)
        ).json();
        throw new Error(
          `${e}; B serves ${await served()}, A serves ${JSON.stringify(
            onA,
          )}; PUT answered ${JSON.stringify(body)}`,
        );
      });
      const delayMs = Date.now() - changedAt;
      figures.policyAppliedOnOtherReplicaMs = delayMs;
      // One refresh interval, plus the refresh query, the polling step and a request on a busy machine.
      expect(delayMs).toBeLessThanOrEqual(REFRESH_SECONDS * 1000 + 1500);
    });

    it('runs each health check once per interval across the replicas, not once per replica', async () => {
      const res = await fetch(
        `${a.baseUrl}/api/tracing-health/checks/${CHECK_ID}/history?limit=1000`,
        { headers: { authorization: `Bearer ${await guest}` } },
      );
      expect(res.status).toBe(200);
      const starts = ((await res.json()).items as { startedAt: string }[])
        .map(r => Date.parse(r.startedAt))
        .filter(t => t >= bothUpAt)
        .sort((x, y) => x - y);
      const spanSeconds = (starts[starts.length - 1] - starts[0]) / 1000;
      Object.assign(figures, {
        checkRunsWhileBothUp: starts.length,
        checkRunsSpanSeconds: spanSeconds,
      });
      // Both replicas schedule it; each scheduled start is at least one interval after the
      // previous one, so n runs span at least (n - 2) intervals (the first may start late). A
      // check run by each replica would take about twice as many runs in the same span.
      expect(starts.length).toBeGreaterThanOrEqual(4);
      expect((starts.length - 2) * CHECK_INTERVAL_SECONDS).toBeLessThanOrEqual(
        spanSeconds,
      );
    });

    it('keeps traces whole with three replicas serving at once, each hop of a trace sent to another', async () => {
      const cUrl = `http://127.0.0.1:${await freePort()}`;
      const c = await startPortal({
        baseUrl: cUrl,
        configYaml: replicaConfig(cUrl, prefix, sink.endpoint),
      });
      const replicas = [a.baseUrl, b!.baseUrl, cUrl];
      const members = async (n: number) =>
        (
          await Promise.all(
            replicas.map(url =>
              metricTotal(url, 'tracing_health_cluster_members'),
            ),
          )
        ).every(m => m === n);
      try {
        await eventually(() => members(3), {
          what: 'three members on every replica',
          timeoutMs: 30_000,
        });
        const forwardedBefore = await Promise.all(
          replicas.map(url =>
            metricTotal(url, 'tracing_health_cluster_forwarded_spans_total'),
          ),
        );
        const traces = 600;
        // web's spans go to A, api's to B, db's to C; one trace in 10 fails in db.
        const planned = plan(traces, i => (i % 10 === 0 ? [2] : []));
        const sent = await runServices(
          replicas.map(url => `${url}/api/tracing-health/v1/traces`),
          planned,
          300,
        );
        expect(sent.failed).toEqual([]);
        const ids = new Set(planned.map(t => t.traceId));
        const errorTraces = planned.filter(t => t.error.length);
        const byTrace = () => {
          const counts = new Map<string, number>();
          for (const span of spansOf(ids))
            counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
          return counts;
        };
        await eventually(
          async () =>
            // Nothing held in a pipeline, nor queued for another replica.
            (
              await Promise.all(
                replicas.map(
                  async url =>
                    (await pipelineSettled(url)) &&
                    (await metricTotal(
                      url,
                      'tracing_health_cluster_forward_queue_bytes',
                    )) === 0,
                ),
              )
            ).every(Boolean) &&
            errorTraces.every(
              t => byTrace().get(t.traceId) === SERVICES.length,
            ),
          {
            what: 'the three replicas to decide every trace',
            timeoutMs: 60_000,
          },
        );
        const kept = byTrace();
        const broken = [...kept.values()].filter(
          n => n !== SERVICES.length,
        ).length;
        const forwarded = (
          await Promise.all(
            replicas.map(url =>
              metricTotal(url, 'tracing_health_cluster_forwarded_spans_total'),
            ),
          )
        ).map((n, i) => n - forwardedBefore[i]);
        Object.assign(figures, {
          threeReplicas: {
            traces,
            keptTraces: kept.size,
            brokenTraces: broken,
            errorTracesKeptWhole: errorTraces.length,
            spansForwardedByReplica: forwarded,
          },
        });
        expect(broken).toBe(0);
        // Each replica owns about a third of the traces: it forwards about two thirds of what it got.
        for (const n of forwarded) expect(n).toBeGreaterThan(traces / 3);
      } finally {
        await c.stop();
      }
      // C stopped: the two others drop it at once (it removed its row).
      await eventually(
        async () =>
          (await metricTotal(a.baseUrl, 'tracing_health_cluster_members')) ===
            2 &&
          (await metricTotal(b!.baseUrl, 'tracing_health_cluster_members')) ===
            2,
        { what: 'A and B to see two members again', timeoutMs: 30_000 },
      );
    });

    it('holds an adaptive target across the fleet, not once per replica', async () => {
      const target = 40;
      const res = await fetch(
        `${a.baseUrl}/api/tracing-health/policies/e2e-cluster-web`,
        {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${await guest}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            reason: 'e2e: a fleet-wide adaptive target',
            policy: {
              strategy: {
                type: 'adaptive',
                targetTracesPerSecond: target,
                minRate: 0.01,
                maxRate: 1,
              },
              samplingLocation: 'pipeline',
            },
          }),
        },
      );
      expect(res.status).toBe(200);
      // Both replicas read the policy on their next refresh.
      await new Promise(r => setTimeout(r, REFRESH_SECONDS * 1000 + 1500));

      // 200 traces/s for 30 s, no errors: each of the 2 owners sees about half and aims at
      // half the target. The first seconds (warm-up, first steps) are left out of the count.
      const perSecond = 200;
      const seconds = 30;
      const skipSeconds = 6;
      const planned = plan(perSecond * seconds, () => []);
      const sent = await runServices(
        `${lb.url}/api/tracing-health/v1/traces`,
        planned,
        perSecond,
      );
      expect(sent.failed).toEqual([]);
      await eventually(
        async () =>
          (await pipelineSettled(a.baseUrl)) &&
          (await pipelineSettled(b!.baseUrl)),
        { what: 'both replicas to decide every trace', timeoutMs: 60_000 },
      );
      const counted = planned.slice(perSecond * skipSeconds);
      const kept = new Set(
        sink.spans
          .filter(sp => sp.service === 'e2e-cluster-web')
          .map(sp => sp.traceId),
      );
      const keptCounted = counted.filter(t => kept.has(t.traceId)).length;
      const expected = target * (seconds - skipSeconds);
      figures.adaptiveTarget = {
        targetTracesPerSecond: target,
        offeredTracesPerSecond: perSecond,
        keptTracesPerSecond: keptCounted / (seconds - skipSeconds),
        deviation: +(keptCounted / expected - 1).toFixed(3),
      };
      // Within 10% of the target (one replica's share alone would be half, every replica
      // aiming at the whole target would keep twice as many).
      expect(Math.abs(keptCounted - expected)).toBeLessThanOrEqual(
        0.1 * expected,
      );
    });

    it('exports every span the surviving replica accepted when the other is stopped (SIGTERM) during traffic', async () => {
      const before = await counters(a.baseUrl);
      // Every hop fails, so every span is kept wherever its trace ends up being decided.
      const planned = plan(900, () => [0, 1, 2]);
      const traffic = runServices(
        `${lb.url}/api/tracing-health/v1/traces`,
        planned,
        150,
      );
      await new Promise(r => setTimeout(r, 2000));
      // SIGTERM to the backend process itself (as an orchestrator does), then wait for it to end.
      const stopping = Date.now();
      const pid = listenerPid(Number(new URL(b!.baseUrl).port));
      expect(pid).toBeDefined();
      process.kill(pid!, 'SIGTERM');
      await eventually(async () => !alive(pid!), {
        what: 'replica B to shut down',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      figures.sigtermStopSeconds = (Date.now() - stopping) / 1000;
      await b!.stop();
      b = undefined;
      const sent = await traffic;

      await eventually(
        async () =>
          (await metricTotal(a.baseUrl, 'tracing_health_cluster_members')) ===
            1 && (await pipelineSettled(a.baseUrl)),
        {
          what: 'the survivor to decide and deliver every span',
          timeoutMs: 60_000,
        },
      );
      const after = await counters(a.baseUrl);
      const accepted =
        after.received - before.received - (after.refused - before.refused);
      const exported = after.exported - before.exported;
      const ids = new Set(planned.map(t => t.traceId));
      const inSink = new Set(spansOf(ids).map(s => s.spanId));
      Object.assign(figures, {
        sigtermSpansSent: planned.length * SERVICES.length,
        sigtermSdkAccepted: sent.accepted.length,
        sigtermSdkFailed: sent.failed.length,
        sigtermSurvivorAccepted: accepted,
        sigtermSurvivorExported: exported,
        sigtermSurvivorDropped: after.dropped - before.dropped,
        sigtermAcceptedButNotExported: sent.accepted.filter(
          id => !inSink.has(id),
        ).length,
      });
      expect(accepted).toBeGreaterThan(0);
      expect(exported).toBe(accepted);
      expect(after.dropped - before.dropped).toBe(0);
      // What the survivor exported reached the exporter; and what the stopped replica had taken
      // it decided and exported while shutting down: every span a replica answered 200 for is there.
      expect(inSink.size).toBeGreaterThanOrEqual(exported);
      expect(sent.accepted.filter(id => !inSink.has(id))).toEqual([]);
    });

    it('counts on the survivor, as lost, the spans a replica held when it was killed (SIGKILL)', async () => {
      // Replica C holds what it owns for two minutes before deciding, so it dies holding it.
      const cUrl = `http://127.0.0.1:${await freePort()}`;
      const c = await startPortal({
        baseUrl: cUrl,
        configYaml: replicaConfig(cUrl, prefix, sink.endpoint, 120_000),
      });
      try {
        await eventually(
          async () =>
            (await metricTotal(a.baseUrl, 'tracing_health_cluster_members')) ===
              2 &&
            (await metricTotal(cUrl, 'tracing_health_cluster_members')) === 2,
          { what: 'A and C to see each other', timeoutMs: 30_000 },
        );
        const lostBefore = await metricTotal(
          a.baseUrl,
          'tracing_health_cluster_lost_spans_total',
        );
        // Every hop fails, so every trace is kept by its owner: A exports its share, C holds its.
        const planned = plan(300, () => [0, 1, 2]);
        const sent = await runServices(
          `${a.baseUrl}/api/tracing-health/v1/traces`,
          planned,
          150,
        );
        expect(sent.failed).toEqual([]);
        const onC = () =>
          metricTotal(cUrl, 'tracing_health_cluster_received_spans_total');
        const heldByC = async () => {
          const status = await (
            await fetch(`${a.baseUrl}/api/tracing-health/cluster`, {
              headers: { authorization: `Bearer ${await guest}` },
            })
          ).json();
          return status.members.find((m: { id: string }) => m.id === cUrl)
            ?.heldSpans as number | undefined;
        };
        // C's heartbeat, read through A, reports every span it was forwarded as held.
        let held = 0;
        await eventually(
          async () => {
            const received = await onC();
            held = (await heldByC()) ?? -1;
            return received > 0 && held === received;
          },
          { what: "C's heartbeat to report what it holds", timeoutMs: 30_000 },
        );

        const pid = listenerPid(Number(new URL(cUrl).port));
        expect(pid).toBeDefined();
        process.kill(pid!, 'SIGKILL');
        await eventually(async () => !alive(pid!), {
          what: 'replica C to die',
          timeoutMs: 10_000,
          intervalMs: 100,
        });
        const killedAt = Date.now();
        // The dev runner around the dead backend must not start it again.
        await c.stop();
        await eventually(
          async () =>
            (await metricTotal(
              a.baseUrl,
              'tracing_health_cluster_lost_spans_total',
            )) > lostBefore && (await pipelineSettled(a.baseUrl)),
          { what: 'A to count what C held as lost', timeoutMs: 30_000 },
        );
        const lost =
          (await metricTotal(
            a.baseUrl,
            'tracing_health_cluster_lost_spans_total',
          )) - lostBefore;
        const ids = new Set(planned.map(t => t.traceId));
        const exported = new Set(spansOf(ids).map(s => s.spanId)).size;
        Object.assign(figures, {
          sigkillSpansAccepted: sent.accepted.length,
          sigkillHeldByKilledReplica: held,
          sigkillCountedLost: lost,
          sigkillExportedBySurvivor: exported,
          sigkillLossCountedAfterSeconds: (Date.now() - killedAt) / 1000,
        });
        // Nothing silently missing: what C held is counted, the rest reached the exporter.
        expect(lost).toBe(held);
        expect(exported + lost).toBe(sent.accepted.length);
      } finally {
        await c.stop();
      }
    });
  },
);
