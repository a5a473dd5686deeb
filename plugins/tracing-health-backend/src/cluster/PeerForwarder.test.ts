import { mockServices } from '@backstage/backend-test-utils';
import { CLUSTER_METRICS } from '@internal/plugin-tracing-health-common';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { PeerForwarder, PeerForwarderOptions } from './PeerForwarder';

const SELF = 'http://10.0.0.1:7007';

describe('PeerForwarder', () => {
  let server: Server;
  let peer: string;
  let status = 200;
  /** Statuses to answer before `status`, one a request. */
  let statuses: number[] = [];
  let hang = false;
  /** What the owner says of its pipeline workers in its answers (absent: nothing). */
  let ownerWorkers: string | undefined;
  /** What this replica's own pipeline answers to a share whose forward failed. */
  let pipelineStatus = 200;
  const received: {
    url?: string;
    headers: IncomingMessage['headers'];
    body: Buffer;
  }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        received.push({
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        if (ownerWorkers !== undefined)
          res.setHeader('x-tracing-health-workers', ownerWorkers);
        if (!hang) res.writeHead(statuses.shift() ?? status).end();
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    peer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    status = 200;
    statuses = [];
    hang = false;
    ownerWorkers = undefined;
    pipelineStatus = 200;
  });

  function forwarder(
    members: () => string[] = () => [SELF, peer],
    queue: Partial<PeerForwarderOptions['queue']> = {},
    /** null: the forwarder's default. */
    compression: PeerForwarderOptions['compression'] | null = 'gzip',
  ) {
    const registry = new Registry();
    // What this replica's pipeline is handed to decide (the shares whose forward failed), and
    // what it could not decide either.
    const decidedHere: Buffer[] = [];
    const routedAgain: Buffer[] = [];
    const lost: string[] = [];
    const peerWorkers: string[] = [];
    const f = new PeerForwarder({
      auth: mockServices.auth({ pluginId: 'tracing-health' }),
      self: SELF,
      isMember: id => members().includes(id),
      queue: {
        lingerMs: 0,
        maxBatchSpans: 10_000,
        maxBatchBytes: 1 << 20,
        maxQueueBytes: 1 << 24,
        concurrency: 4,
        deadlineMs: 300,
        ...queue,
      },
      compression: compression ?? undefined,
      registry,
      logger: mockServices.logger.mock(),
      lost: (reason, spans) => lost.push(`${reason} ${spans}`),
      peerWorkers: (id, workers) => peerWorkers.push(`${id} ${workers}`),
    });
    f.decideFailedForwardsWith({
      handle: async request => {
        const chunks: Buffer[] = [];
        for await (const chunk of request.body as AsyncIterable<Buffer>)
          chunks.push(chunk);
        (request.routed ? decidedHere : routedAgain).push(
          Buffer.concat(chunks),
        );
        return { status: pipelineStatus, headers: {}, body: Buffer.alloc(0) };
      },
    });
    const values = async (name: string) =>
      ((await registry.getMetricsAsJSON()).find(m => m.name === name)?.values ??
        []) as { labels: Record<string, string>; value: number }[];
    /** Forwards one share and waits until it was delivered or decided here; returns the answer. */
    const forwardAndSettle = async (
      to: string,
      body: Buffer,
      spans: number,
    ) => {
      const queued = await f.forward(to, body, spans);
      await f.flush();
      return queued;
    };
    return {
      f,
      values,
      decidedHere,
      routedAgain,
      lost,
      peerWorkers,
      forwardAndSettle,
    };
  }

  it('posts gzip OTLP protobuf to the owner’s internal route with this plugin’s service token', async () => {
    const { values, forwardAndSettle } = forwarder();
    const body = Buffer.from([0x0a, 0x00]);
    expect(await forwardAndSettle(peer, body, 7)).toEqual({ ok: true });
    expect(received).toHaveLength(1);
    const { headers } = received[0];
    expect(received[0].url).toBe('/api/tracing-health/cluster/v1/traces');
    expect(gunzipSync(received[0].body)).toEqual(body);
    expect(headers['content-type']).toBe('application/x-protobuf');
    expect(headers['content-encoding']).toBe('gzip');
    expect(headers.authorization).toMatch(/^Bearer mock-service-token:/);
    expect(headers.authorization).toContain('plugin:tracing-health');
    expect(headers['x-tracing-health-member']).toBe(SELF);
    expect(headers['x-tracing-health-spans']).toBe('7');
    expect(await values(CLUSTER_METRICS.forwardedSpans)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 7 }),
    ]);
  });

  it('sends the shares of several requests to one owner in one request', async () => {
    // Both linger (longer than the test) until their batch is full: 3 + 4 spans.
    const { f, values } = forwarder(undefined, {
      lingerMs: 60_000,
      maxBatchSpans: 7,
    });
    const shares = [Buffer.from([0x0a, 0x01, 0x01]), Buffer.from([0x0a, 0x00])];
    expect(
      await Promise.all([
        f.forward(peer, shares[0], 3),
        f.forward(peer, shares[1], 4),
      ]),
    ).toEqual([{ ok: true }, { ok: true }]);
    await f.flush();
    expect(received).toHaveLength(1);
    expect(received[0].headers['x-tracing-health-spans']).toBe('7');
    expect(gunzipSync(received[0].body)).toEqual(Buffer.concat(shares));
    expect(await values(CLUSTER_METRICS.forwardedSpans)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 7 }),
    ]);
    expect(await values(CLUSTER_METRICS.forwardRequests)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 1 }),
    ]);
    expect(await values(CLUSTER_METRICS.forwardQueueBytes)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 0 }),
    ]);
  });

  it('sends a forward the owner refused again, and counts the retry', async () => {
    statuses = [503, 429];
    const { values, decidedHere, forwardAndSettle } = forwarder(undefined, {
      deadlineMs: 10_000,
    });
    const body = Buffer.from([0x0a, 0x00]);
    expect(await forwardAndSettle(peer, body, 2)).toEqual({ ok: true });
    expect(decidedHere).toEqual([]);
    expect(received).toHaveLength(3);
    expect(received.map(r => gunzipSync(r.body))).toEqual([body, body, body]);
    expect(await values(CLUSTER_METRICS.forwardRetries)).toEqual([
      expect.objectContaining({ labels: { reason: 'refused' }, value: 2 }),
    ]);
    expect(await values(CLUSTER_METRICS.forwardFailures)).toEqual([]);
    expect(await values(CLUSTER_METRICS.forwardedSpans)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 2 }),
    ]);
  });

  it('sends uncompressed by default', async () => {
    const { forwardAndSettle } = forwarder(undefined, {}, null);
    const body = Buffer.from([0x0a, 0x00]);
    expect(await forwardAndSettle(peer, body, 1)).toEqual({ ok: true });
    expect(received[0].body).toEqual(body);
    expect(received[0].headers['content-encoding']).toBeUndefined();
  });

  it('sends what lingers when flushed (shutdown)', async () => {
    const { f } = forwarder(undefined, { lingerMs: 60_000 });
    // Both linger for longer than the test, unless flushed.
    const forwarded = [
      f.forward(peer, Buffer.from([0x0a, 0x00]), 1),
      f.forward(peer, Buffer.from([0x0a, 0x00]), 1),
    ];
    await f.flush();
    expect(await Promise.all(forwarded)).toEqual([{ ok: true }, { ok: true }]);
    expect(received).toHaveLength(1);
    expect(received[0].headers['x-tracing-health-spans']).toBe('2');
  });

  it.each([
    [503, 'refused'],
    [429, 'refused'],
    [403, 'auth'],
    [400, 'rejected'],
    [500, 'server_error'],
  ])(
    'decides here a share its owner answered %i (once retries ran out), counted as %s',
    async (code, reason) => {
      status = code;
      const { values, decidedHere, lost, forwardAndSettle } = forwarder();
      const body = Buffer.from([0x0a, 0x00]);
      // Queued: the share is the forwarder's from here on.
      expect(await forwardAndSettle(peer, body, 3)).toEqual({ ok: true });
      expect(decidedHere).toEqual([body]);
      expect(lost).toEqual([]);
      expect(await values(CLUSTER_METRICS.forwardFailures)).toEqual([
        expect.objectContaining({ labels: { reason }, value: 1 }),
      ]);
      expect(await values(CLUSTER_METRICS.forwardFailedSpans)).toEqual([
        expect.objectContaining({ labels: { reason }, value: 3 }),
      ]);
    },
  );

  it('decides here what an owner that does not answer in time or is down did not take', async () => {
    const { decidedHere, forwardAndSettle, values } = forwarder(() => [
      SELF,
      peer,
      'http://127.0.0.1:1',
    ]);
    hang = true;
    const late = Buffer.from([0x0a, 0x01, 0x01]);
    const down = Buffer.from([0x0a, 0x00]);
    await forwardAndSettle(peer, late, 1);
    await forwardAndSettle('http://127.0.0.1:1', down, 2);
    expect(decidedHere).toEqual([late, down]);
    expect(
      (await values(CLUSTER_METRICS.forwardFailedSpans)).map(v => [
        v.labels.reason,
        v.value,
      ]),
    ).toEqual([
      ['timeout', 1],
      ['unreachable', 2],
    ]);
  });

  it('routes again, over the members of now, a share whose owner left while it was under way', async () => {
    let members = [SELF, peer];
    hang = true;
    const { f, decidedHere, routedAgain } = forwarder(() => members, {
      deadlineMs: 2000,
    });
    const body = Buffer.from([0x0a, 0x00]);
    expect(await f.forward(peer, body, 2)).toEqual({ ok: true });
    while (!received.length) await new Promise(r => setTimeout(r, 10));
    // The owner leaves before it answers; the forward then times out.
    members = [SELF];
    await f.flush();
    expect(routedAgain).toEqual([body]);
    expect(decidedHere).toEqual([]);
  });

  it('refuses at once, for the caller to decide, a share for a non-member or for itself', async () => {
    const { f, decidedHere } = forwarder();
    expect(
      await f.forward('http://attacker.example', Buffer.alloc(1), 1),
    ).toEqual({ ok: false, reason: 'unknown_peer' });
    expect(await f.forward(SELF, Buffer.alloc(1), 1)).toEqual({
      ok: false,
      reason: 'unknown_peer',
    });
    expect(received).toEqual([]);
    expect(decidedHere).toEqual([]);
  });

  it('refuses at once a share that would overfill the peer’s queue', async () => {
    hang = true;
    const { f } = forwarder(undefined, { maxQueueBytes: 4, deadlineMs: 2000 });
    expect(await f.forward(peer, Buffer.alloc(3), 1)).toEqual({ ok: true });
    expect(await f.forward(peer, Buffer.alloc(3), 1)).toEqual({
      ok: false,
      reason: 'queue_full',
    });
    expect(f.queuedSpans()).toBe(1);
  });

  it('counts as lost the spans of a failed forward that its own pipeline refuses too', async () => {
    status = 400;
    pipelineStatus = 503;
    const { decidedHere, lost, forwardAndSettle } = forwarder();
    expect(await forwardAndSettle(peer, Buffer.from([0x0a, 0x00]), 5)).toEqual({
      ok: true,
    });
    expect(decidedHere).toHaveLength(1);
    expect(lost).toEqual(['forward_failed_refused 5']);
  });

  it('reports the spans it holds for the peers until they are acknowledged', async () => {
    hang = true;
    const { f } = forwarder(undefined, { deadlineMs: 2000 });
    await f.forward(peer, Buffer.alloc(2), 4);
    await f.forward(peer, Buffer.alloc(2), 3);
    expect(f.queuedSpans()).toBe(7);
  });

  it('marks a share for one of the owner’s workers, batches each worker’s shares apart, and learns the owner’s workers from its answers', async () => {
    ownerWorkers = '2';
    const { f, values, peerWorkers } = forwarder(
      undefined,
      { lingerMs: 50 },
      'none',
    );
    const one = Buffer.from([0x0a, 0x01, 0x01]);
    const other = Buffer.from([0x0a, 0x01, 0x02]);
    await f.forward(peer, one, 1, { index: 0, of: 2 });
    await f.forward(peer, other, 2, { index: 1, of: 2 });
    await f.forward(peer, one, 1, { index: 0, of: 2 });
    await f.flush();
    const byShard = Object.fromEntries(
      received.map(r => [r.headers['x-tracing-health-shard'], r.body]),
    );
    expect(received).toHaveLength(2);
    expect(byShard).toEqual({
      '0/2': Buffer.concat([one, one]),
      '1/2': other,
    });
    expect(peerWorkers).toEqual([`${peer} 2`, `${peer} 2`]);
    expect(await values(CLUSTER_METRICS.forwardedSpans)).toEqual([
      { labels: { peer }, value: 4 },
    ]);
    // An owner claiming an absurd number of workers is not believed.
    ownerWorkers = '100000';
    await f.forward(peer, one, 1);
    await f.flush();
    expect(peerWorkers).toHaveLength(2);
  });
});
