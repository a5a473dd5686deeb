import {
  createCheckHarness,
  startLoopbackServer,
  unusedPort,
} from '../__testUtils__/checkHarness';
import { httpCheckType } from './http';

describe('http check', () => {
  let server: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Awaited<ReturnType<typeof createCheckHarness>>;

  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      if (req.url === '/endless') {
        // A body that never ends, written as fast as the check reads it.
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          let more = true;
          while (more && !res.destroyed) more = res.write(chunk);
        };
        res.on('drain', pump);
        pump();
      } else if (req.url === '/ready') res.writeHead(200).end('ready');
      else if (req.url === '/broken') res.writeHead(500).end('boom');
      else res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    harness = await createCheckHarness([httpCheckType]);
  });
  afterEach(() => harness.close());

  it('is ok for a 2xx answer and records its latency', async () => {
    const result = await harness.run({
      id: 'h',
      type: 'http',
      target: `${server.url}/ready`,
    });
    expect(result.status).toBe('ok');
    expect(result.measurements.find(m => m.name === 'latencyMs')).toMatchObject(
      { unit: 'ms', threshold: 1000 },
    );
  });

  it('is critical for an unexpected status or a missing body text', async () => {
    const broken = await harness.run({
      id: 'h',
      type: 'http',
      target: `${server.url}/broken`,
    });
    expect(broken).toMatchObject({
      status: 'critical',
      runbookId: 'endpoint-down',
      value: 500,
    });
    const body = await harness.run({
      id: 'h2',
      type: 'http',
      target: `${server.url}/ready`,
      options: { bodyContains: 'healthy' },
    });
    expect(body.status).toBe('critical');
    expect(body.message).toContain('healthy');
    const expected = await harness.run({
      id: 'h3',
      type: 'http',
      target: `${server.url}/broken`,
      options: { expectedStatus: [500] },
    });
    expect(expected.measurements[0].status).toBe('ok');
  });

  it('ends with a clear message when the body never ends, instead of buffering it', async () => {
    const result = await harness.run({
      id: 'h',
      type: 'http',
      target: `${server.url}/endless`,
      timeout: '30s',
    });
    expect(result).toMatchObject({
      status: 'critical',
      message: 'answered 200 with a body over 1 MiB; stopped reading it',
    });
  });

  it('warns on latency above the threshold with the latency runbook', async () => {
    const result = await harness.run({
      id: 'h',
      type: 'http',
      target: `${server.url}/ready`,
      thresholds: { latencyMs: { warning: 0 } },
    });
    expect(result).toMatchObject({
      status: 'warning',
      runbookId: 'endpoint-slow',
    });
  });

  it('links the endpoint-down runbook, not a collector one, when nothing listens', async () => {
    const port = await unusedPort();
    const result = await harness.run({
      id: 'h',
      type: 'http',
      target: `http://127.0.0.1:${port}/`,
    });
    expect(result).toMatchObject({
      status: 'critical',
      runbookId: 'endpoint-down',
    });
  });

  it('is critical when nothing listens, and uses the check runbook override', async () => {
    const port = await unusedPort();
    const result = await harness.run({
      id: 'h',
      type: 'http',
      target: `http://127.0.0.1:${port}/`,
      runbook: 'no-traces',
    });
    expect(result).toMatchObject({
      status: 'critical',
      runbookId: 'no-traces',
    });
    expect(result.message).toContain('ECONNREFUSED');
  });
});
