import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { AnyValue, ExportTraceServiceRequest, KeyValue } from '../otlp/model';
import { stringifyExportRequestJson } from '../otlp/otlpJson';
import { createPipeline, Pipeline, PipelineLogger } from '../pipeline';
import {
  chunks,
  encodeRequest,
  makeSpan,
  str,
  waitFor,
} from '../testing/fixtures';
import { OtlpSink } from '../testing/otlpSink';

/*
 * A unique secret in every place the default sanitizer rules must cover goes through the real
 * pipeline (receiver, sanitizer, batcher, gzip, OTLP/HTTP exporter) as protobuf and as JSON, and
 * must not come out: not in the bytes a real OTLP sink receives, not in anything the pipeline
 * logs, not in its Prometheus metrics.
 */

const run = randomBytes(4).toString('hex');
const secrets: string[] = [];
/** A secret unique to this run and this place, long enough for every rule (e.g. bearer's 8+). */
function secret(place: string): string {
  const s = `s3cr3t${place}${run}x`;
  secrets.push(s);
  return s;
}

const bytes = (text: string): AnyValue => ({
  bytesValue: Buffer.from(`\u0000\u0001${text} end`, 'latin1'),
});

function seededRequest(): ExportTraceServiceRequest {
  const attributes: KeyValue[] = [
    str(
      'url.full',
      `https://api.example.com/v1/items?access_token=${secret(
        'urlfull',
      )}&page=2`,
    ),
    str('http.url', `https://h.example/x?a=1&token=${secret('httpurl')}`),
    str(
      'url.query',
      `api_key=${secret('apikey')}&apikey=${secret('apikey2')}&sig=${secret(
        'sig',
      )}&signature=${secret('signature')}&password=${secret(
        'querypw',
      )}&X-Amz-Signature=${secret('amz')}`,
    ),
    str(
      'db.connection_string',
      `Server=db;User Id=sa;Password=${secret('connpw')};Encrypt=true`,
    ),
    str('app.dsn', `host=db user=app pwd=${secret('pwd')} dbname=x`),
    str(
      'db.statement',
      `CREATE USER bob IDENTIFIED BY '${secret('identified')}'`,
    ),
    { key: 'db.query.text', value: { stringValue: '' } },
    { key: 'raw.header', value: bytes(`Bearer ${secret('bytes')}`) },
    {
      key: 'raw.list',
      value: {
        arrayValue: { values: [bytes(`password=${secret('bytesarray')}`)] },
      },
    },
    {
      key: 'raw.map',
      value: {
        kvlistValue: {
          values: [
            {
              key: 'inner',
              value: bytes(`https://u:${secret('byteskv')}@h.example/`),
            },
          ],
        },
      },
    },
  ];
  attributes[6].value = {
    stringValue: `ALTER ROLE app WITH PASSWORD '${secret(
      'pgpassword',
    )}'; UPDATE u SET password = '${secret('sqlassign')}'`,
  };
  const span = makeSpan({
    name: `GET /callback?code=${secret('spanname')}`,
    traceState: `ot=th:0,vendor=apikey:${secret('tracestate')}`,
    attributes,
    links: [
      {
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        traceState: `acme=token:${secret('linkstate')}`,
      },
    ],
  });
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'checkout'),
            str('deployment.db_password', secret('resourcekey')),
          ],
        },
        scopeSpans: [
          {
            scope: {
              name: `https://ci:${secret('scopename')}@git.example/lib`,
              version: `1.2.3+token=${secret('scopeversion')}`,
            },
            spans: [span],
          },
        ],
      },
    ],
  };
}

describe('secrets seeded in every place the sanitizer covers', () => {
  let sink: OtlpSink;
  let failing: OtlpSink;
  let pipeline: Pipeline | undefined;

  beforeEach(async () => {
    sink = await new OtlpSink().start();
    failing = await new OtlpSink().start();
    failing.reply = () => ({ status: 400, body: 'rejected' });
  });
  afterEach(async () => {
    await pipeline?.shutdown();
    pipeline = undefined;
    await sink.stop();
    await failing.stop();
  });

  it('never reach the exported bytes, the logs or /metrics', async () => {
    const logged: unknown[] = [];
    const logger: PipelineLogger = {
      info: (...args: unknown[]) => logged.push(args),
      warn: (...args: unknown[]) => logged.push(args),
      error: (...args: unknown[]) => logged.push(args),
    };
    const registry = new Registry();
    pipeline = createPipeline({
      config: {
        batch: { timeoutMs: 10 },
        exporters: [
          { name: 'sink', endpoint: sink.url },
          // A second exporter that refuses everything, so the pipeline has something to log.
          { name: 'refusing', endpoint: failing.url },
        ],
        shutdownTimeoutMs: 2000,
      },
      registry,
      logger,
    });

    const request = seededRequest();
    const protobuf = await pipeline.handle({
      contentType: 'application/x-protobuf',
      body: chunks(encodeRequest(request)),
    });
    const json = await pipeline.handle({
      contentType: 'application/json',
      body: chunks(stringifyExportRequestJson(seededRequest().resourceSpans!)),
    });
    expect([protobuf.status, json.status]).toEqual([200, 200]);
    await waitFor(() => sink.spans().length === 2, 'both spans at the sink');
    await waitFor(() => failing.attempts >= 1, 'the refusing exporter tried');
    await pipeline.shutdown();

    const exported = Buffer.concat(sink.rawBodies).toString('latin1');
    const logs = JSON.stringify(logged);
    const metrics = await registry.metrics();
    // The secrets were there to find: each request carried every one of them.
    expect(secrets.length).toBeGreaterThanOrEqual(2 * 20);
    expect(encodeRequest(request).toString('latin1')).toContain(secrets[0]);
    for (const s of secrets) {
      expect({ where: 'exported', found: exported.includes(s), s }).toEqual({
        where: 'exported',
        found: false,
        s,
      });
      expect(logs).not.toContain(s);
      expect(metrics).not.toContain(s);
    }
    // What was left around them still arrived.
    expect(exported).toContain('access_token=****&page=2');
    expect(exported).toContain('IDENTIFIED BY ****');
    expect(exported).toContain('https://ci:****@git.example/lib');
    expect(logged.length).toBeGreaterThan(0);
  });
});
