import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import {
  CheckType,
  tracingHealthChecksExtensionPoint,
} from '@internal/plugin-tracing-health-node';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { tracingHealthPlugin } from '../plugin';
import { startLoopbackServer, unusedPort } from './__testUtils__/checkHarness';
import { REDACTED } from './lib/redact';

jest.setTimeout(60_000);

const PASSWORD = 'S3cretPassw0rd';
const QUERY_TOKEN = 'T0kenInQuery42';
const API_KEY = 'ApiKeyHeader77';
const BEARER = 'BearerSecret99';
const BASIC = Buffer.from(`user:${PASSWORD}`).toString('base64');
const SECRETS = [PASSWORD, QUERY_TOKEN, API_KEY, BEARER, BASIC];

/** Every check type that takes a target, with what it needs besides it. */
const TARGETED_TYPES: Array<{
  type: string;
  options?: (url: (path: string) => string) => object;
  headers?: Record<string, string>;
}> = [
  {
    type: 'otel-collector',
    options: url => ({ metricsUrl: url('/metrics') }),
  },
  {
    type: 'jaeger',
    options: url => ({ collectorHealthUrl: url('/collector') }),
  },
  { type: 'elasticsearch' },
  { type: 'opensearch' },
  { type: 'prometheus-query', options: () => ({ query: 'up' }) },
  { type: 'tls-certificate' },
  { type: 'http', headers: { authorization: `Bearer ${BEARER}` } },
  // Types added by other modules get the same treatment.
  {
    type: 'careless',
    options: url => ({ apiToken: QUERY_TOKEN, more: url('/x') }),
  },
];

/** A check type from another module that logs and throws everything it was given. */
const careless: CheckType = {
  type: 'careless',
  description: 'logs its configuration and fails with it',
  runbookId: 'check-failing',
  target: 'required',
  measurements: {},
  async run(ctx) {
    ctx.logger.warn(
      `probing ${ctx.target} with ${JSON.stringify(ctx.headers)}`,
      {
        options: JSON.stringify(ctx.options),
      },
    );
    ctx.logger.error('probe failed', new Error(`GET ${ctx.target} refused`));
    throw new Error(
      `GET ${ctx.target} with ${JSON.stringify(ctx.headers)} refused`,
    );
  },
};

const carelessModule = createBackendModule({
  pluginId: 'tracing-health',
  moduleId: 'careless-check',
  register(env) {
    env.registerInit({
      deps: { checks: tracingHealthChecksExtensionPoint },
      async init({ checks }) {
        checks.addCheckType(careless);
      },
    });
  },
});

/** A root logger that keeps every line, with its metadata, of every plugin. */
class RecordingLogger implements LoggerService {
  constructor(
    readonly lines: string[] = [],
    private readonly fields: JsonObject = {},
  ) {}
  private record(level: string, message: string, meta?: Error | JsonObject) {
    const extra =
      meta instanceof Error
        ? `${meta.name}: ${meta.message} ${meta.stack ?? ''}`
        : JSON.stringify(meta ?? {});
    this.lines.push(
      `${level} ${JSON.stringify(this.fields)} ${message} ${extra}`,
    );
  }
  error(message: string, meta?: Error | JsonObject) {
    this.record('error', message, meta);
  }
  warn(message: string, meta?: Error | JsonObject) {
    this.record('warn', message, meta);
  }
  info(message: string, meta?: Error | JsonObject) {
    this.record('info', message, meta);
  }
  debug(message: string, meta?: Error | JsonObject) {
    this.record('debug', message, meta);
  }
  child(meta: JsonObject): LoggerService {
    return new RecordingLogger(this.lines, { ...this.fields, ...meta });
  }
}

/** Where each secret shows up in `text`, with some context; empty when nothing leaks. */
function leaks(label: string, text: string): string[] {
  return SECRETS.flatMap(secret => {
    const at = text.indexOf(secret);
    return at < 0
      ? []
      : [`${label}: …${text.slice(Math.max(0, at - 80), at + 40)}…`];
  });
}

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      annotations: { 'tracing-health/enabled': 'true' },
    },
    spec: { type: 'service', owner: 'group:default/payments-team' },
  },
];

describe('credentials in health checks', () => {
  const servers: Array<Awaited<ReturnType<typeof startLoopbackServer>>> = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));

  it('never reach results, history, the stored rows, the REST API, the report or the logs, for any check type', async () => {
    // A server that fails and echoes back everything it was sent: URL, headers, password.
    const echo = await startLoopbackServer((req, res) => {
      const basic = (req.headers.authorization ?? '').replace(/^Basic /, '');
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(
        `refused ${req.method} ${req.url} authorization=${
          req.headers.authorization
        } login=${Buffer.from(basic, 'base64').toString()} x-api-key=${
          req.headers['x-api-key']
        }`,
      );
    });
    const garbage = await startLoopbackServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`<html>not json: ${req.url} ${req.headers['x-api-key']}`);
    });
    const redirect = await startLoopbackServer((_req, res) => {
      res.writeHead(302, {
        location: `http://user:${PASSWORD}@${echo.url.slice(
          7,
        )}/moved?token=${QUERY_TOKEN}&access_token=${QUERY_TOKEN}`,
      });
      res.end();
    });
    servers.push(echo, garbage, redirect);
    const hosts = {
      echo: echo.url.slice(7),
      garbage: garbage.url.slice(7),
      redirect: redirect.url.slice(7),
      down: `127.0.0.1:${await unusedPort()}`,
    };

    const checks: object[] = [
      { id: 'pipeline', type: 'pipeline' },
      { id: 'volume', type: 'service-volume' },
    ];
    for (const [mode, host] of Object.entries(hosts)) {
      const url = (path: string) =>
        `http://user:${PASSWORD}@${host}${path}?token=${QUERY_TOKEN}`;
      for (const t of TARGETED_TYPES) {
        checks.push({
          id: `${t.type}-${mode}`,
          type: t.type,
          target:
            t.type === 'tls-certificate'
              ? `https://user:${PASSWORD}@${host}/?token=${QUERY_TOKEN}`
              : url('/base'),
          headers: { 'x-api-key': API_KEY, ...t.headers },
          options: t.options?.(url),
        });
      }
    }

    const logger = new RecordingLogger();
    const knex: Knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    const backend = await startTestBackend({
      features: [
        tracingHealthPlugin,
        carelessModule,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.database.factory({ knex }),
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => logger,
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://portal.test:7007' },
            tracingHealth: { checks },
          },
        }),
      ],
    });
    // Every check ran at start-up; one more run on demand.
    const api = (path: string) =>
      request(backend.server).get(`/api/tracing-health${path}`);
    expect(
      (
        await request(backend.server).post(
          '/api/tracing-health/checks/jaeger-echo/run',
        )
      ).status,
    ).toBe(202);

    const outputs: Array<[string, string]> = [];
    for (const table of [
      'tracing_health_check_runs',
      'tracing_health_check_transitions',
    ]) {
      outputs.push([`table ${table}`, JSON.stringify(await knex(table))]);
    }
    // Rows an earlier version stored unredacted are redacted when read.
    const legacy = `GET http://user:${PASSWORD}@h/?token=${QUERY_TOKEN} said ${API_KEY}`;
    const now = new Date();
    await knex('tracing_health_check_runs').insert({
      check_id: 'http-echo',
      check_type: 'http',
      status: 'ok',
      message: legacy,
      runbook_id: 'collector-down',
      measurements_json: JSON.stringify([
        {
          name: 'status',
          status: 'ok',
          message: legacy,
          runbookId: 'collector-down',
        },
      ]),
      started_at: now,
      duration_ms: 1,
    });
    await knex('tracing_health_check_transitions').insert({
      check_id: 'http-echo',
      check_type: 'http',
      from_status: 'critical',
      to_status: 'ok',
      message: legacy,
      runbook_id: 'collector-down',
      at: now,
    });

    const list = await api('/checks');
    outputs.push(['GET /checks', list.text]);
    const items: Array<{ id: string; type: string; latest?: any }> =
      list.body.items;
    expect(items).toHaveLength(checks.length);
    for (const item of items) {
      outputs.push([
        `GET /checks/${item.id}`,
        (await api(`/checks/${item.id}`)).text,
      ]);
      outputs.push([
        `GET /checks/${item.id}/history`,
        (await api(`/checks/${item.id}/history`)).text,
      ]);
    }
    const month = new Date().toISOString().slice(0, 7);
    outputs.push(['GET /report', (await api(`/report?month=${month}`)).text]);
    outputs.push([
      'GET /report (markdown)',
      (await api(`/report?month=${month}&format=markdown`)).text,
    ]);
    outputs.push(['GET /metrics', (await api('/metrics')).text]);
    await backend.stop();
    outputs.push(
      ...logger.lines.map((line, i): [string, string] => [
        `log line ${i}`,
        line,
      ]),
    );

    expect(outputs.flatMap(([label, text]) => leaks(label, text))).toEqual([]);

    // Not vacuous: every check ran and was logged, and echoed secrets reached the redaction.
    for (const item of items) {
      expect([item.id, item.latest?.status]).not.toEqual([item.id, undefined]);
      expect(logger.lines.join('\n')).toContain(`Check ${item.id} new -> `);
    }
    const byId = new Map(items.map(i => [i.id, i]));
    expect(byId.get('jaeger-echo')!.latest.message).toContain(REDACTED);
    expect(byId.get('http-echo')!.latest.message).toBe(
      `GET http://h/?token=${REDACTED} said ${REDACTED}`,
    );
    expect(byId.get('http-redirect')!.latest.message).toBe(
      'answered 500, expected 2xx or 3xx',
    );
    expect(
      byId.get('otel-collector-garbage')!.latest.measurements[0].message,
    ).toContain(REDACTED);
    // A target named in a failure keeps its shape; a fetch failure says why.
    expect(byId.get('prometheus-query-echo')!.latest.message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/base\?token=\*\*\*\*: Prometheus answered 500: /,
    );
    expect(byId.get('prometheus-query-down')!.latest.message).toContain(
      'ECONNREFUSED',
    );
    expect(byId.get('careless-echo')!.latest.message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/base\?token=\*\*\*\*: GET http:\/\/127\.0\.0\.1:\d+\/base\?token=\*\*\*\* with \{"x-api-key":"\*\*\*\*"\} refused$/,
    );
    expect(logger.lines.filter(l => l.includes('probing')).length).toBe(
      Object.keys(hosts).length,
    );
    await knex.destroy();
  });
});
