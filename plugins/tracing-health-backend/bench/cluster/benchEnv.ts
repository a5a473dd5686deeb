/** What the parts of `yarn bench:cluster` share: the repository, the ingest token, ports. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const root = path.resolve(__dirname, '../../../..');
export const TOKEN =
  process.env.TRACING_HEALTH_INGEST_TOKEN || 'tracing-health-dev-ingest-token';
export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
export const yarnRelease = path.join(
  root,
  '.yarn/releases',
  fs
    .readdirSync(path.join(root, '.yarn/releases'))
    .find(f => f.endsWith('.cjs'))!,
);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
