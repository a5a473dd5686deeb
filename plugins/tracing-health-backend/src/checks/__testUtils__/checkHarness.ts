import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CheckResult } from '@internal/plugin-tracing-health-common';
import { CheckType } from '@internal/plugin-tracing-health-node';
import knexFactory, { Knex } from 'knex';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { migrateDatabase } from '../../database/migrateDatabase';
import { CheckRunner } from '../CheckRunner';
import { CheckDefinition, readChecksConfig } from '../config/readChecksConfig';
import { ConcurrencyLimiter } from '../lib/ConcurrencyLimiter';
import { CheckResultStore } from '../store/CheckResultStore';

/** The real runner and store on an in-memory SQLite database, for check-type tests. */
export async function createCheckHarness(
  types: CheckType<any>[],
  options: { now?: () => Date; concurrency?: number } = {},
) {
  const knex: Knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  await migrateDatabase(knex);
  const typeMap = new Map(types.map(t => [t.type, t]));
  const store = new CheckResultStore(knex);
  const runner = new CheckRunner({
    types: typeMap,
    store,
    limiter: new ConcurrencyLimiter(options.concurrency ?? 4),
    logger: mockServices.logger.mock(),
    now: options.now,
  });
  const definitions = (checks: object[]): CheckDefinition[] =>
    readChecksConfig(new ConfigReader({ tracingHealth: { checks } }), typeMap)
      .checks;
  return {
    knex,
    store,
    runner,
    definitions,
    /** Validates one check's config like start-up does and runs it once. */
    async run(check: object): Promise<CheckResult> {
      const [definition] = definitions([check]);
      const result = await runner.run(definition, new AbortController().signal);
      return result!;
    },
    close: () => knex.destroy(),
  };
}

/** A node:http server on 127.0.0.1 and a free port. */
export async function startLoopbackServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const s = await startLoopbackServer(() => {});
  const port = Number(new URL(s.url).port);
  await s.close();
  return port;
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
