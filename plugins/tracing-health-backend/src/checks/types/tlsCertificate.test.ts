import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Server } from 'node:tls';
import { createCheckHarness, unusedPort } from '../__testUtils__/checkHarness';
import { parseTlsTarget, tlsCertificateCheckType } from './tlsCertificate';

const DAY = 86_400_000;

/** A self-signed certificate valid for `days` from now, made by openssl. */
function makeCertificate(dir: string, days: number) {
  const key = join(dir, `${days}.key`);
  const cert = join(dir, `${days}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=collector-${days}d.test`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

async function serve(material: { key: Buffer; cert: Buffer }) {
  const server: Server = createServer(material, socket => socket.end());
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('tls-certificate check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'th-tls-'));
  const servers: Server[] = [];
  const ports: Record<number, number> = {};
  let clock = new Date();

  beforeAll(async () => {
    for (const days of [3, 20, 90]) {
      const { server, port } = await serve(makeCertificate(dir, days));
      servers.push(server);
      ports[days] = port;
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map(s => new Promise(r => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clock = new Date();
  });

  const run = async (target: string) => {
    const harness = await createCheckHarness([tlsCertificateCheckType], {
      now: () => clock,
    });
    try {
      return await harness.run({ id: 'tls', type: 'tls-certificate', target });
    } finally {
      await harness.close();
    }
  };

  it.each([
    [90, 'ok'],
    [20, 'warning'],
    [3, 'critical'],
  ])('a certificate valid for %i days is %s', async (days, status) => {
    const result = await run(`127.0.0.1:${ports[days]}`);
    expect(result).toMatchObject({
      status,
      runbookId: 'certificate-expiry',
      unit: 'days',
    });
    expect(result.value).toBeGreaterThan(days - 1);
    expect(result.value).toBeLessThanOrEqual(days);
    expect(result.message).toContain(`collector-${days}d.test`);
    expect(result.message).toContain('not trusted');
  });

  it('reports an expired certificate as critical, days negative', async () => {
    clock = new Date(Date.now() + 100 * DAY);
    const result = await run(`https://127.0.0.1:${ports[90]}`);
    expect(result.status).toBe('critical');
    expect(result.value).toBeLessThan(-9);
    expect(result.message).toContain('expired');
  });

  it('is unknown with the check-failing runbook when the endpoint cannot be reached', async () => {
    const port = await unusedPort();
    const result = await run(`127.0.0.1:${port}`);
    expect(result).toMatchObject({
      status: 'unknown',
      runbookId: 'check-failing',
    });
    expect(result.message).toContain('ECONNREFUSED');
  });

  it('reads host:port, URLs and bare hosts', () => {
    expect(parseTlsTarget('collector:4317')).toEqual({
      host: 'collector',
      port: 4317,
    });
    expect(parseTlsTarget('https://jaeger.example.com')).toEqual({
      host: 'jaeger.example.com',
      port: 443,
    });
    expect(parseTlsTarget('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
  });
});
