import { mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createShutdownGate } from './quietShutdown';

describe('createShutdownGate', () => {
  const logger = mockServices.logger.mock();
  const gate = createShutdownGate({ logger, retryAfterSeconds: 7 });
  const server = http.createServer((req, res) =>
    gate.middleware(req, res, () => res.writeHead(200).end('served')),
  );
  let base: string;

  beforeAll(async () => {
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('serves everything while open', async () => {
    const res = await fetch(`${base}/api/tracing-health/v1/traces`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('once closed, answers requests 503 with Retry-After and warns once for all of them', async () => {
    gate.close();
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () =>
        fetch(`${base}/api/tracing-health/v1/traces`, { method: 'POST' }),
      ),
      fetch(`${base}/favicon.ico`),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('7');
      expect((await res.json()).error.name).toBe('ServiceUnavailableError');
    }
    expect(gate.refused).toBe(5);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it("lets Backstage's health routes through, so readiness can say it is stopping", async () => {
    const res = await fetch(`${base}/.backstage/health/v1/readiness`);
    expect(res.status).toBe(200);
  });
});
