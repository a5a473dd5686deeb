import { ConfigReader } from '@backstage/config';
import type { AppConfig } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authBackend from '@backstage/plugin-auth-backend';
import githubProvider from '@backstage/plugin-auth-backend-module-github-provider';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import {
  TRACING_INGEST_SUBJECT,
  TRACING_READ_SUBJECT,
} from '@internal/plugin-tracing-health-common';
import path from 'node:path';
import request from 'supertest';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');

/** The env a production deployment sets (app-config.production.yaml needs every one). */
const PRODUCTION_ENV: Record<string, string> = {
  POSTGRES_HOST: 'db.internal',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'backstage',
  POSTGRES_PASSWORD: 'secret',
  TRACING_HEALTH_INGEST_TOKEN: 'production-ingest-token-0123456789',
  TRACING_HEALTH_READ_TOKEN: 'production-read-token-0123456789',
  AUTH_GITHUB_CLIENT_ID: 'github-client-id',
  AUTH_GITHUB_CLIENT_SECRET: 'github-client-secret',
};

/** Reads the real config files as `backstage-cli`/`--config` would, with the given env. */
async function loadConfigFiles(
  files: string[],
  env: Record<string, string>,
): Promise<AppConfig[]> {
  const source = ConfigSources.defaultForTargets({
    rootDir: ROOT,
    targets: files.map(file => ({
      type: 'path' as const,
      target: path.join(ROOT, file),
    })),
    watch: false,
    substitutionFunc: async name => env[name],
  });
  for await (const { configs } of source.readConfigData()) {
    return configs;
  }
  throw new Error('no config read');
}

/** The auth backend with the guest and GitHub modules on that config; SQLite, not PostgreSQL. */
async function startAuth(files: string[], env: Record<string, string> = {}) {
  const configs = await loadConfigFiles(files, env);
  const config = ConfigReader.fromConfigs([
    ...configs,
    {
      context: 'test',
      data: {
        backend: {
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
      },
    },
  ]);
  const { server } = await startTestBackend({
    features: [
      authBackend,
      guestProvider,
      githubProvider,
      mockServices.rootConfig.factory({ data: config.get() as object }),
    ],
  });
  return server;
}

const guestRefresh = (server: Parameters<typeof request>[0]) =>
  request(server)
    .get('/api/auth/guest/refresh')
    .set('X-Requested-With', 'XMLHttpRequest');

describe('sign-in', () => {
  it('lets the guest in with the embedded default', async () => {
    const server = await startAuth(['app-config.yaml']);
    const res = await guestRefresh(server);
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.token).toEqual(expect.any(String));
    expect(res.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/guest',
    );
  });

  it('refuses the guest in production and offers GitHub instead', async () => {
    const server = await startAuth(
      ['app-config.yaml', 'app-config.production.yaml'],
      PRODUCTION_ENV,
    );
    const guest = await guestRefresh(server);
    expect(guest.status).toBeGreaterThanOrEqual(400);
    expect(guest.body.backstageIdentity).toBeUndefined();
    expect(JSON.stringify(guest.body)).toContain(
      'dangerouslyAllowOutsideDevelopment',
    );

    const github = await request(server).get(
      '/api/auth/github/start?env=production',
    );
    expect(github.status).toBe(302);
    expect(github.headers.location).toMatch(
      /^https:\/\/github\.com\/login\/oauth\/authorize\?.*client_id=github-client-id/,
    );
  });

  it('takes both external tokens from the environment and guards /metrics in production', async () => {
    const config = ConfigReader.fromConfigs(
      await loadConfigFiles(
        ['app-config.yaml', 'app-config.production.yaml'],
        PRODUCTION_ENV,
      ),
    );
    const tokens = config
      .getConfigArray('backend.auth.externalAccess')
      .map(entry => [
        entry.getString('options.subject'),
        entry.getString('options.token'),
      ]);
    expect(tokens).toEqual([
      [TRACING_INGEST_SUBJECT, PRODUCTION_ENV.TRACING_HEALTH_INGEST_TOKEN],
      [TRACING_READ_SUBJECT, PRODUCTION_ENV.TRACING_HEALTH_READ_TOKEN],
    ]);
    expect(config.getBoolean('tracingHealth.metrics.requireAuth')).toBe(true);
    expect(config.getString('auth.environment')).toBe('production');
  });
});
