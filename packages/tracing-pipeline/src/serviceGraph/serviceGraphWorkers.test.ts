import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { SERVICE_GRAPH_METRICS } from '@internal/tracing-model';
import {
  chunks,
  encodeRequest,
  makeResourceSpans,
  makeSpan,
  str,
} from '../testing/fixtures';
import { Span } from '../otlp/model';
import { WorkerPool } from '../workers/WorkerPool';

jest.setTimeout(120_000);

const request = (service: string, spans: Span[]) => ({
  contentType: 'application/x-protobuf',
  body: chunks(
    encodeRequest({ resourceSpans: [makeResourceSpans(service, spans)] }),
  ),
});

describe('the service graph in worker mode', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => {
    await pool?.shutdown();
    pool = undefined;
  });

  it('pairs halves that arrive in different requests on 2 workers and merges the edges into the read side and /metrics', async () => {
    const registry = new Registry();
    pool = new WorkerPool({
      config: {},
      workers: 2,
      registry,
      serviceGraph: { waitMs: 200 },
      collectIntervalMs: 100,
    });
    await pool.start();

    // 40 calls web → api (client halves in one request, server halves in another), 10 calls
    // from web to an untraced "legacy" peer.
    const clients: Span[] = [];
    const servers: Span[] = [];
    for (let i = 0; i < 40; i++) {
      const traceId = randomBytes(16);
      const client = makeSpan({ traceId, kind: 3, attributes: [] });
      clients.push(client);
      servers.push(
        makeSpan({
          traceId,
          parentSpanId: client.spanId,
          status: { code: i % 4 === 0 ? 2 : 0 },
        }),
      );
    }
    for (let i = 0; i < 10; i++)
      clients.push(
        makeSpan({ kind: 3, attributes: [str('peer.service', 'legacy')] }),
      );
    expect((await pool.handle(request('web', clients))).status).toBe(200);
    expect((await pool.handle(request('api', servers))).status).toBe(200);

    const deadline = Date.now() + 30_000;
    let snapshot = pool.serviceGraph().snapshot();
    const settled = () =>
      snapshot.edges.find(e => e.server === 'legacy')?.requests === 10;
    while (!settled() && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 100));
      await pool.collect(true);
      snapshot = pool.serviceGraph().snapshot();
    }
    const edges = Object.fromEntries(
      snapshot.edges.map(e => [`${e.client}->${e.server}`, e]),
    );
    expect(edges['web->api']).toMatchObject({
      connectionType: '',
      requests: 40,
      failed: 10,
    });
    expect(edges['web->legacy']).toMatchObject({
      connectionType: 'virtual_node',
      requests: 10,
    });
    expect(snapshot.orphanServerSpans).toEqual({});

    const text = await registry.metrics();
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.requests}{client="web",server="api",connection_type=""} 40`,
    );
    expect(text).toContain(
      `${SERVICE_GRAPH_METRICS.failedRequests}{client="web",server="api",connection_type=""} 10`,
    );
  });
});
