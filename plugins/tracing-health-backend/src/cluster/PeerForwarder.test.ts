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
  });

  function forwarder(
    members: () => string[] = () => [SELF, peer],
    queue: Partial<PeerForwarderOptions['queue']> = {},
    /** null: the forwarder's default. */
    compression: PeerForwarderOptions['compression'] | null = 'gzip',
  ) {
    const registry = new Registry();
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
    });
    const values = async (name: string) =>
      ((await registry.getMetricsAsJSON()).find(m => m.name === name)?.values ??
        []) as { labels: Record<string, string>; value: number }[];
    return { f, values };
  }

  it('posts gzip OTLP protobuf to the owner’s internal route with this plugin’s service token', async () => {
    const { f, values } = forwarder();
    const body = Buffer.from([0x0a, 0x00]);
    expect(await f.forward(peer, body, 7)).toEqual({ ok: true });
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
    // The first goes at once (the peer is idle); the next two linger behind it (longer than the
    // test) until their batch is full: 3 + 4 spans.
    const { f, values } = forwarder(undefined, {
      lingerMs: 60_000,
      maxBatchSpans: 7,
    });
    const shares = [Buffer.from([0x0a, 0x01, 0x01]), Buffer.from([0x0a, 0x00])];
    expect(
      await Promise.all([
        f.forward(peer, Buffer.from([0x0a, 0x00]), 1),
        f.forward(peer, shares[0], 3),
        f.forward(peer, shares[1], 4),
      ]),
    ).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(received).toHaveLength(2);
    const batch = received.find(
      r => r.headers['x-tracing-health-spans'] === '7',
    );
    expect(gunzipSync(batch!.body)).toEqual(Buffer.concat(shares));
    expect(await values(CLUSTER_METRICS.forwardedSpans)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 8 }),
    ]);
    expect(await values(CLUSTER_METRICS.forwardRequests)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 2 }),
    ]);
    expect(await values(CLUSTER_METRICS.forwardQueueBytes)).toEqual([
      expect.objectContaining({ labels: { peer }, value: 0 }),
    ]);
  });

  it('sends a forward the owner refused again, and counts the retry', async () => {
    statuses = [503, 429];
    const { f, values } = forwarder(undefined, { deadlineMs: 10_000 });
    const body = Buffer.from([0x0a, 0x00]);
    expect(await f.forward(peer, body, 2)).toEqual({ ok: true });
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
    const { f } = forwarder(undefined, {}, null);
    const body = Buffer.from([0x0a, 0x00]);
    expect(await f.forward(peer, body, 1)).toEqual({ ok: true });
    expect(received[0].body).toEqual(body);
    expect(received[0].headers['content-encoding']).toBeUndefined();
  });

  it('sends what lingers when flushed (shutdown)', async () => {
    const { f } = forwarder(undefined, { lingerMs: 60_000 });
    // The second lingers behind the first for longer than the test, unless flushed.
    const forwarded = [
      f.forward(peer, Buffer.from([0x0a, 0x00]), 1),
      f.forward(peer, Buffer.from([0x0a, 0x00]), 1),
    ];
    await f.flush();
    expect(await Promise.all(forwarded)).toEqual([{ ok: true }, { ok: true }]);
    expect(received).toHaveLength(2);
  });

  it.each([
    [503, 'refused'],
    [429, 'refused'],
    [403, 'auth'],
    [400, 'rejected'],
    [500, 'server_error'],
  ])(
    'counts an owner’s %i as %s (once retries ran out)',
    async (code, reason) => {
      status = code;
      const { f, values } = forwarder();
      expect(await f.forward(peer, Buffer.alloc(1), 3)).toEqual({
        ok: false,
        reason,
      });
      expect(await values(CLUSTER_METRICS.forwardFailures)).toEqual([
        expect.objectContaining({ labels: { reason }, value: 1 }),
      ]);
      expect(await values(CLUSTER_METRICS.forwardFailedSpans)).toEqual([
        expect.objectContaining({ labels: { reason }, value: 3 }),
      ]);
    },
  );

  it('fails over an owner that does not answer in time, one that is down, and a non-member', async () => {
    const { f } = forwarder(() => [SELF, peer, 'http://127.0.0.1:1']);
    hang = true;
    expect(await f.forward(peer, Buffer.alloc(1), 1)).toEqual({
      ok: false,
      reason: 'timeout',
    });
    expect(await f.forward('http://127.0.0.1:1', Buffer.alloc(1), 1)).toEqual({
      ok: false,
      reason: 'unreachable',
    });
    expect(
      await f.forward('http://attacker.example', Buffer.alloc(1), 1),
    ).toEqual({ ok: false, reason: 'unknown_peer' });
    expect(await f.forward(SELF, Buffer.alloc(1), 1)).toEqual({
      ok: false,
      reason: 'unknown_peer',
    });
  });
});
