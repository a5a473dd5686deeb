import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CLUSTER_METRICS,
  ClusterStatusResponse,
  TRACING_INGEST_SUBJECT,
  TRACING_READ_SUBJECT,
} from '@internal/plugin-tracing-health-common';
import { RendezvousRouter, workerShardIds } from '@internal/tracing-pipeline';
/* eslint-disable @backstage/no-forbidden-package-imports */
import { OtlpSink } from '@internal/tracing-pipeline/src/testing/otlpSink';
/* eslint-enable @backstage/no-forbidden-package-imports */
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { tracingHealthPlugin } from '../plugin';
import { CLUSTER_INGEST_PATH, FORWARDED_SHARD_HEADER } from './PeerForwarder';

jest.setTimeout(120_000);

const INGEST_TOKEN = 'test-ingest-token-0123456789';
const READ_TOKEN = 'test-read-token-0123456789';

/**
 * A replica's advertised address: a port known before the test backend (which listens on a
 * random port) starts, relaying to it, as a Service or pod address would.
 */
class Relay {
  target = 0;
  /** While set, requests are parked here (unanswered) instead of passed on. */
  parked?: (() => void)[];
  /** The worker shard each forward passed on was marked for (`-` when unmarked). */
  readonly forwardShards: string[] = [];
  private server?: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      if (this.parked) {
        this.parked.push(() => res.writeHead(503).end());
        return;
      }
      if (req.url?.endsWith(CLUSTER_INGEST_PATH))
        this.forwardShards.push(
          String(req.headers[FORWARDED_SHARD_HEADER] ?? '-'),
        );
      const upstream = httpRequest(
        {
          host: '127.0.0.1',
          port: this.target,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        up => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    this.url = `http://127.0.0.1:${
      (this.server!.address() as AddressInfo).port
    }`;
    return this;
  }

  async stop() {
    for (const answer of this.parked?.splice(0) ?? []) answer();
    this.server?.closeAllConnections();
    await new Promise(resolve => this.server?.close(resolve));
  }
}

async function waitFor(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

const hex = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? []).toString('hex');

const now = BigInt(Date.now()) * 1_000_000n;
const otlp = (
  service: string,
  spans: {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    error: boolean;
  }[],
) => ({
  resourceSpans: [
    {
      resource: {
        attributes: [{ key: 'service.name', value: { stringValue: service } }],
      },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: spans.map(s => ({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            name: s.parentSpanId ? 'GET /stock' : 'POST /checkout',
            kind: s.parentSpanId ? 3 : 2,
            startTimeUnixNano: String(now),
            endTimeUnixNano: String(now + 5_000_000n),
            status: { code: s.error ? 2 : 0 },
          })),
        },
      ],
    },
  ],
});
const send = (server: Server, body: object) =>
  request(server)
    .post('/api/tracing-health/v1/traces')
    .set('Authorization', `Bearer ${INGEST_TOKEN}`)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));

/** Spans of failed traces only are kept (see the sampling config below). */
const failedSpan = (traceId: string) => ({
  traceId,
  spanId: randomBytes(8).toString('hex'),
  error: true,
});

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe.each(databases.eachSupportedId())(
  'two portal replicas on one %s database',
  databaseId => {
    let knex: Knex;
    const relays: Relay[] = [];
    const sinks: OtlpSink[] = [];
    const servers: Awaited<ReturnType<typeof startTestBackend>>['server'][] =
      [];
    const backends = new Map<
      Server,
      Awaited<ReturnType<typeof startTestBackend>>
    >();

    async function startReplica(
      relay: Relay,
      sink: OtlpSink,
      workers: number,
      memberTtlSeconds = 2,
      /** More `tracingHealth.cluster` keys. */
      clusterConfig: Record<string, number> = {},
    ) {
      const backend = await startTestBackend({
        features: [
          tracingHealthPlugin,
          catalogServiceMock.factory({ entities: [] }),
          // The real service-to-service auth: tokens signed with keys kept in the shared database.
          authServiceFactory,
          httpAuthServiceFactory,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              backend: {
                baseUrl: relay.url,
                auth: {
                  externalAccess: [
                    {
                      type: 'static',
                      options: {
                        token: INGEST_TOKEN,
                        subject: TRACING_INGEST_SUBJECT,
                      },
                      accessRestrictions: [{ plugin: 'tracing-health' }],
                    },
                    {
                      type: 'static',
                      options: {
                        token: READ_TOKEN,
                        subject: TRACING_READ_SUBJECT,
                      },
                      accessRestrictions: [{ plugin: 'tracing-health' }],
                    },
                  ],
                },
              },
              tracingHealth: {
                metrics: { cacheSeconds: 0 },
                cluster: {
                  advertiseUrl: relay.url,
                  heartbeatSeconds: 0.2,
                  memberTtlSeconds,
                  ...clusterConfig,
                },
                pipeline: {
                  workers,
                  batch: { timeoutMs: 20 },
                  exporters: [{ name: 'sink', endpoint: sink.url }],
                },
                // Keep only traces with an error, decided by the tail sampler on the whole trace.
                sampling: {
                  default: {
                    strategy: { type: 'probabilistic', rate: 0 },
                    alwaysKeep: { keepErrors: true, keepSlowerThanMs: false },
                  },
                  tail: { decisionWaitMs: 1500, tickIntervalMs: 50 },
                },
              },
            },
          }),
        ],
      });
      const { server } = backend;
      relay.target = server.port();
      servers.push(server);
      backends.set(server, backend);
      return server;
    }

    const metric = async (server: Server, name: string) => {
      const res = await request(server).get('/api/tracing-health/metrics');
      return res.text
        .split('\n')
        .filter(line => line.startsWith(name))
        .join('\n');
    };

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      for (let i = 0; i < 2; i++) {
        relays.push(await new Relay().start());
        sinks.push(await new OtlpSink().start());
      }
    });

    afterEach(async () => {
      await Promise.all(sinks.splice(0).map(s => s.stop()));
      await Promise.all(relays.splice(0).map(r => r.stop()));
      await Promise.all([...backends.values()].map(b => b.stop()));
      servers.length = 0;
      backends.clear();
    });

    const seeMembers = (replicas: Server[], n: number) =>
      Promise.all(
        replicas.map(server =>
          waitFor(
            `${n} members`,
            async () =>
              (await metric(server, `${CLUSTER_METRICS.members} `)) ===
              `${CLUSTER_METRICS.members} ${n}`,
          ),
        ),
      );

    /** Trace ids that `members[owner]` owns. */
    const ownedBy = (members: string[], owner: number, count: number) => {
      const router = new RendezvousRouter(members);
      const ids: string[] = [];
      while (ids.length < count) {
        const id = randomBytes(16);
        if (router.ownerOf(id) === owner) ids.push(id.toString('hex'));
      }
      return ids;
    };

    it('decides locally, and counts, what it could not forward to a live owner', async () => {
      const a = await startReplica(relays[0], sinks[0], 0);
      const b = await startReplica(relays[1], sinks[1], 0);
      await seeMembers([a, b], 2);
      // B stays a member but cannot be reached: its address answers 502.
      relays[1].target = 1;
      const members = [relays[0].url, relays[1].url];
      const ids = ownedBy(members, 1, 20);
      const res = await send(a, otlp('checkout', ids.map(failedSpan)));
      expect(res.status).toBe(200);
      await waitFor(
        'A to export what B owns',
        async () => sinks[0].spans().length === 20,
      );
      expect(new Set(sinks[0].spans().map(s => hex(s.traceId)))).toEqual(
        new Set(ids),
      );
      expect(await metric(a, CLUSTER_METRICS.forwardFailedSpans)).toBe(
        `${CLUSTER_METRICS.forwardFailedSpans}{reason="server_error"} 20`,
      );
      expect(sinks[1].spans()).toEqual([]);

      // The fleet page's cluster section reads the same counters (read token here).
      const status = await request(a)
        .get('/api/tracing-health/cluster')
        .set('Authorization', `Bearer ${READ_TOKEN}`);
      expect(status.status).toBe(200);
      const body = status.body as ClusterStatusResponse;
      expect(body).toMatchObject({
        enabled: true,
        self: members[0],
        members: [...members].sort().map(id => ({
          id,
          self: id === members[0],
          lastSeen: expect.any(String),
        })),
        peers: [{ peer: members[1], forwardedSpans: 0, receivedSpans: 0 }],
        forwardFailures: [{ reason: 'server_error', forwards: 1, spans: 20 }],
        ownershipChanges: { joined: 1, left: 0 },
      });
      const refused = await request(a)
        .get('/api/tracing-health/cluster')
        .set('Authorization', `Bearer ${INGEST_TOKEN}`);
      expect(refused.status).toBe(403);
    });

    it('answers once the spans are queued for their owner, and sends what lingers when it stops', async () => {
      // A forward gathers spans for 1 s: longer than A takes to answer and to be told to stop.
      const slow = { forwardLingerMs: 1000 };
      const a = await startReplica(relays[0], sinks[0], 0, 2, slow);
      const b = await startReplica(relays[1], sinks[1], 0, 2, slow);
      await seeMembers([a, b], 2);
      const ids = ownedBy([relays[0].url, relays[1].url], 1, 20);
      expect(
        (await send(a, otlp('checkout', ids.map(failedSpan)))).status,
      ).toBe(200);
      // SIGTERM on A: its queue for B is flushed before its pipeline stops.
      await backends.get(a)!.stop();
      backends.delete(a);
      await waitFor(
        'B, their owner, to export them',
        async () => sinks[1].spans().length === 20,
      );
      expect(new Set(sinks[1].spans().map(s => hex(s.traceId)))).toEqual(
        new Set(ids),
      );
      expect(sinks[0].spans()).toEqual([]);
      // Labelled by A, or `unknown` once B saw A leave (A's row goes while it flushes).
      const received = (await metric(b, CLUSTER_METRICS.receivedSpans))
        .split('\n')
        .map(line => Number(line.split(' ').pop()));
      expect(received.reduce((x, y) => x + y, 0)).toBe(20);
    });

    it('answers before the owner took the spans, and on stopping decides here what the owner did not take in time', async () => {
      const quick = { forwardTimeoutSeconds: 1, forwardLingerMs: 0 };
      const a = await startReplica(relays[0], sinks[0], 0, 2, quick);
      const b = await startReplica(relays[1], sinks[1], 0, 2, quick);
      await seeMembers([a, b], 2);
      // B's address takes connections but answers nothing.
      relays[1].parked = [];
      const ids = ownedBy([relays[0].url, relays[1].url], 1, 20);
      expect(
        (await send(a, otlp('checkout', ids.map(failedSpan)))).status,
      ).toBe(200);
      expect(sinks[0].spans()).toEqual([]);
      // SIGTERM on A: its pipeline stops only once the forward timed out and A decided the spans.
      await backends.get(a)!.stop();
      backends.delete(a);
      expect(new Set(sinks[0].spans().map(s => hex(s.traceId)))).toEqual(
        new Set(ids),
      );
      expect(sinks[1].spans()).toEqual([]);
    });

    it('takes over the traces of a replica that stopped, at once', async () => {
      // A TTL far longer than the test: only B's leaving can make A drop it.
      const a = await startReplica(relays[0], sinks[0], 0, 600);
      const b = await startReplica(relays[1], sinks[1], 0, 600);
      await seeMembers([a, b], 2);
      await backends.get(b)!.stop();
      backends.delete(b);
      await seeMembers([a], 1);
      const ids = ownedBy([relays[0].url, relays[1].url], 1, 20);
      expect(
        (await send(a, otlp('checkout', ids.map(failedSpan)))).status,
      ).toBe(200);
      await waitFor(
        'A to export them',
        async () => sinks[0].spans().length === 20,
      );
      expect(await metric(a, CLUSTER_METRICS.forwardFailures)).toBe('');
      expect(await metric(a, CLUSTER_METRICS.ownershipChanges)).toContain(
        `${CLUSTER_METRICS.ownershipChanges}{change="left"} 1`,
      );
    });

    it('decides each trace on its one owner and exports it whole, wherever its spans arrived', async () => {
      // One replica runs the pipeline in a worker thread, the other on its event loop.
      const a = await startReplica(relays[0], sinks[0], 1);
      const b = await startReplica(relays[1], sinks[1], 0);
      await seeMembers([a, b], 2);

      // 200 two-span traces, as two services' SDKs behind a round-robin balancer send them: the
      // root to replica A, the child to replica B; one child in five failed.
      const traces = Array.from({ length: 200 }, (_, i) => ({
        traceId: randomBytes(16).toString('hex'),
        rootId: randomBytes(8).toString('hex'),
        childId: randomBytes(8).toString('hex'),
        error: i % 5 === 0,
      }));
      const [toA, toB] = await Promise.all([
        send(
          a,
          otlp(
            'checkout',
            traces.map(t => ({
              traceId: t.traceId,
              spanId: t.rootId,
              error: false,
            })),
          ),
        ),
        send(
          b,
          otlp(
            'inventory',
            traces.map(t => ({
              traceId: t.traceId,
              spanId: t.childId,
              parentSpanId: t.rootId,
              error: t.error,
            })),
          ),
        ),
      ]);
      expect([toA.status, toB.status]).toEqual([200, 200]);

      const failed = traces.filter(t => t.error);
      const exported = () => [...sinks[0].spans(), ...sinks[1].spans()];
      await waitFor(
        'the kept traces to be exported',
        async () => exported().length >= 2 * failed.length,
      );
      // The decision waits have passed everywhere: nothing else comes.
      await new Promise(resolve => setTimeout(resolve, 2_000));

      // Exactly the failed traces were kept, each whole (root and child), each by its owner only.
      const members = [relays[0].url, relays[1].url];
      const router = new RendezvousRouter(members);
      const byTrace = new Map<string, { sink: number; span: string }[]>();
      sinks.forEach((sink, i) => {
        for (const span of sink.spans()) {
          const id = hex(span.traceId);
          byTrace.set(id, [
            ...(byTrace.get(id) ?? []),
            { sink: i, span: hex(span.spanId) },
          ]);
        }
      });
      expect([...byTrace.keys()].sort()).toEqual(
        failed.map(t => t.traceId).sort(),
      );
      for (const t of failed) {
        const owner = members.indexOf(
          members[router.ownerOf(Buffer.from(t.traceId, 'hex'))],
        );
        expect(
          byTrace.get(t.traceId)!.sort((x, y) => (x.span < y.span ? -1 : 1)),
        ).toEqual(
          [
            { sink: owner, span: t.rootId },
            { sink: owner, span: t.childId },
          ].sort((x, y) => (x.span < y.span ? -1 : 1)),
        );
      }
      // Each replica owned some of them, and each forwarded the other's share to it.
      expect(new Set([...byTrace.values()].map(v => v[0].sink)).size).toBe(2);
      expect(
        await metric(
          a,
          `${CLUSTER_METRICS.forwardedSpans}{peer="${members[1]}"}`,
        ),
      ).toMatch(/ [1-9]\d*$/);
      expect(
        await metric(
          b,
          `${CLUSTER_METRICS.receivedSpans}{peer="${members[0]}"}`,
        ),
      ).toMatch(/ [1-9]\d*$/);
      expect(await metric(a, CLUSTER_METRICS.forwardFailures)).not.toMatch(
        / [1-9]/,
      );
    });

    it('sends each of the owner’s workers its own traces once the owner said how many it runs', async () => {
      const a = await startReplica(relays[0], sinks[0], 2);
      const b = await startReplica(relays[1], sinks[1], 2);
      await seeMembers([a, b], 2);
      const members = [relays[0].url, relays[1].url];
      // Failed traces B owns, sent to A in two requests: B's answer to the first forward names
      // its 2 workers, so the second's share is split by them, as B's workers route among
      // themselves.
      const ids = ownedBy(members, 1, 40);
      const first = await send(
        a,
        otlp('checkout', ids.slice(0, 20).map(failedSpan)),
      );
      expect(first.status).toBe(200);
      // Delivered: A has read B's answer.
      await waitFor('the first forward', async () =>
        (
          await metric(
            a,
            `${CLUSTER_METRICS.forwardedSpans}{peer="${members[1]}"}`,
          )
        ).endsWith(' 20'),
      );
      const second = await send(
        a,
        otlp('checkout', ids.slice(20).map(failedSpan)),
      );
      expect(second.status).toBe(200);
      await waitFor(
        'B to export all 40',
        async () => sinks[1].spans().length === 40,
      );
      const byWorker = new RendezvousRouter(workerShardIds(2));
      const shards = new Set(
        ids
          .slice(20)
          .map(id => `${byWorker.ownerOf(Buffer.from(id, 'hex'))}/2`),
      );
      expect(relays[1].forwardShards[0]).toBe('-');
      expect(new Set(relays[1].forwardShards.slice(1))).toEqual(shards);
      expect(new Set(sinks[1].spans().map(s => hex(s.traceId)))).toEqual(
        new Set(ids),
      );
      expect(sinks[0].spans()).toEqual([]);
    });

    it('refuses the internal route to the ingest token', async () => {
      const a = await startReplica(relays[0], sinks[0], 0);
      const res = await request(a)
        .post('/api/tracing-health/cluster/v1/traces')
        .set('Authorization', `Bearer ${INGEST_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send('{"resourceSpans":[]}');
      expect(res.status).toBe(403);
      const anonymous = await request(a)
        .post('/api/tracing-health/cluster/v1/traces')
        .set('Content-Type', 'application/json')
        .send('{"resourceSpans":[]}');
      expect(anonymous.status).toBe(401);
    });
  },
);
