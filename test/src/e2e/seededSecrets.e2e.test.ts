import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startOtlpSink } from '../otlpSink';
import { eventually } from '../prometheus';
import {
  DEV_INGEST_TOKEN,
  guestToken,
  pipelineSettled,
  RunningPortal,
  startPortal,
  waitForCatalog,
} from '../portal';

jest.setTimeout(300_000);

/**
 * Secrets seeded into every place of a span where services leak them, each unique, so a hit
 * anywhere names the place that leaked it.
 */
const secret = (place: string) => `${place}-${randomBytes(6).toString('hex')}`;
const SECRETS = {
  authorizationHeader: secret('authz'),
  accessTokenInUrl: secret('accesstoken'),
  apiKeyInUrl: secret('apikey'),
  signatureInUrl: secret('sig'),
  connectionStringPassword: secret('connpwd'),
  statementPassword: secret('stmtpwd'),
  scopeUrlPassword: secret('scopepwd'),
  bytesUnderSecretKey: secret('bytes'),
  tokenInSpanName: secret('spanname'),
  passwordInStatusMessage: secret('status'),
  urlPasswordInEventName: secret('eventname'),
  passwordAttribute: secret('pwdattr'),
};

const SERVICE = 'e2e-seeded-secrets';
const hexId = (bytes: number) => randomBytes(bytes).toString('hex');

function seededRequest() {
  const traceId = hexId(16);
  const rootId = hexId(8);
  const now = BigInt(Date.now()) * 1_000_000n;
  const str = (key: string, value: string) => ({
    key,
    value: { stringValue: value },
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', SERVICE)] },
        scopeSpans: [
          {
            scope: {
              name: `https://ci:${SECRETS.scopeUrlPassword}@repo.example.com/instrumentation`,
              version: '1.0.0',
            },
            spans: [
              {
                traceId,
                spanId: rootId,
                name: `GET /password-reset?token=${SECRETS.tokenInSpanName}`,
                kind: 2,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 5_000_000n),
                attributes: [
                  str(
                    'http.request.header.authorization',
                    `Bearer ${SECRETS.authorizationHeader}`,
                  ),
                  str(
                    'url.full',
                    `https://api.example.com/callback?access_token=${SECRETS.accessTokenInUrl}&api_key=${SECRETS.apiKeyInUrl}&sig=${SECRETS.signatureInUrl}&page=2`,
                  ),
                  str(
                    'db.connection_string',
                    `Server=db.internal;User Id=app;Password=${SECRETS.connectionStringPassword};`,
                  ),
                  str(
                    'db.statement',
                    `ALTER USER app IDENTIFIED BY '${SECRETS.statementPassword}'`,
                  ),
                  {
                    key: 'auth.token',
                    value: {
                      bytesValue: Buffer.from(
                        SECRETS.bytesUnderSecretKey,
                      ).toString('base64'),
                    },
                  },
                  str('db.password', SECRETS.passwordAttribute),
                ],
                events: [
                  {
                    timeUnixNano: String(now + 1_000_000n),
                    name: `retry via https://svc:${SECRETS.urlPasswordInEventName}@queue.internal/`,
                  },
                ],
                status: {
                  code: 2,
                  message: `login failed: password=${SECRETS.passwordInStatusMessage}`,
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

function leaksIn(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => text.includes(value))
    .map(([place]) => place);
}

/** Every file of the portal's SQLite directory, WAL and journal included, as raw bytes. */
function databaseBytes(dir: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(dir);
  return files.map(f => fs.readFileSync(f).toString('latin1')).join('\n');
}

describe('seeded secrets never leave the pipeline', () => {
  let portal: RunningPortal;
  let sink: Awaited<ReturnType<typeof startOtlpSink>>;

  beforeAll(async () => {
    sink = await startOtlpSink();
    portal = await startPortal({
      env: { LOG_LEVEL: 'debug' },
      configYaml: [
        'tracingHealth:',
        '  coverage:',
        '    flushIntervalSeconds: 1',
        '  sampling:',
        '    default:',
        '      strategy: { type: probabilistic, rate: 1 }',
        '  pipeline:',
        '    batch: { sendBatchSize: 10, timeoutMs: 100 }',
        '    exporters:',
        '      - name: sink',
        `        endpoint: ${sink.endpoint}`,
        '',
      ].join('\n'),
    });
    await waitForCatalog(portal.baseUrl);
  });

  afterAll(async () => {
    await portal?.stop();
    await sink?.close();
  });

  it('keeps every seeded secret out of the export, logs, database, /metrics and the API', async () => {
    const res = await fetch(`${portal.baseUrl}/api/tracing-health/v1/traces`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${DEV_INGEST_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(seededRequest()),
    });
    expect(res.status).toBe(200);

    const exported = await eventually(
      async () =>
        sink.spans.some(s => s.service === SERVICE)
          ? sink.rawBytes()
          : undefined,
      { what: `the seeded span at the sink` },
    );
    await eventually(
      async () =>
        (await pipelineSettled(portal.baseUrl, 1)) ? true : undefined,
      {
        what: 'the pipeline to settle',
      },
    );
    // The exported span is the seeded one, redacted (not dropped).
    const span = sink.spans.find(s => s.service === SERVICE)!;
    expect(span.name).toMatch(/^GET \/password-reset\?token=/);

    const token = await guestToken(portal.baseUrl);
    const get = async (route: string) => {
      const r = await fetch(`${portal.baseUrl}/api/tracing-health${route}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return `${route} ${r.status}\n${await r.text()}`;
    };
    // The coverage rollups reach the database within a flush interval.
    await eventually(
      async () => {
        const fleet = await get('/coverage/fleet');
        return fleet.includes(SERVICE) ? fleet : undefined;
      },
      { what: `${SERVICE} in the fleet coverage` },
    );
    await new Promise(resolve => setTimeout(resolve, 2_500));

    const responses = await Promise.all(
      [
        '/services',
        '/coverage/fleet',
        '/checks',
        '/report',
        '/collector-config',
        '/metrics',
        `/sampling?service=${SERVICE}`,
        '/policies',
        `/policies/${SERVICE}`,
        '/sampling-history',
        '/overrides',
        '/maintenance',
      ].map(get),
    );

    expect({
      export: leaksIn(exported.toString('latin1')),
      logs: leaksIn(portal.logs()),
      database: leaksIn(databaseBytes(portal.sqliteDir)),
      api: leaksIn(responses.join('\n')),
    }).toEqual({ export: [], logs: [], database: [], api: [] });
  });
});
