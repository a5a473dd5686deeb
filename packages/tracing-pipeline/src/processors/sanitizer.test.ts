import { createHash } from 'node:crypto';
import { SanitizerRuleConfig } from '../config';
import { AnyValue, KeyValue, ResourceSpans, SpanBatch } from '../otlp/model';
import { ExportTraceServiceRequestCodec } from '../otlp/otlpRoot';
import { passesLuhn, REDACTED_COUNT_ATTRIBUTE, Sanitizer } from './sanitizer';
import { decodeExportRequest, encodeExportRequest } from '../otlp/wire';

const str = (key: string, v: string): KeyValue => ({
  key,
  value: { stringValue: v },
});

function batchOf(
  spanAttributes: KeyValue[],
  extra: Partial<ResourceSpans> = {},
): SpanBatch {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'checkout')] },
        scopeSpans: [
          {
            scope: { name: 's' },
            spans: [{ name: 'op', attributes: spanAttributes }],
          },
        ],
        ...extra,
      },
    ],
    spanCount: 1,
    bytes: 100,
  };
}

function sanitize(
  attrs: KeyValue[],
  rules: SanitizerRuleConfig[] = [],
  useDefaults = true,
) {
  const redactions: string[] = [];
  const sanitizer = new Sanitizer({
    rules,
    useDefaults,
    onRedaction: (a, l) => redactions.push(`${a}@${l}`),
  });
  const batch = batchOf(attrs);
  const count = sanitizer.process(batch);
  const span = batch.resourceSpans[0].scopeSpans![0].spans![0];
  const out = Object.fromEntries(
    span
      .attributes!.filter(kv => kv.key !== REDACTED_COUNT_ATTRIBUTE)
      .map(kv => [kv.key, kv.value]),
  );
  const redactedCount = span.attributes!.find(
    kv => kv.key === REDACTED_COUNT_ATTRIBUTE,
  )?.value?.intValue;
  return { out, count, redactions, redactedCount };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('Sanitizer defaults', () => {
  it.each<[string, KeyValue, AnyValue | undefined]>([
    [
      'authorization request header',
      str('http.request.header.authorization', 'Bearer abc.def'),
      { stringValue: '****' },
    ],
    [
      'cookie header as string array',
      {
        key: 'http.request.header.cookie',
        value: { arrayValue: { values: [{ stringValue: 'sid=1' }] } },
      },
      { stringValue: '****' },
    ],
    [
      'set-cookie response header',
      str('http.response.header.set-cookie', 'sid=2'),
      { stringValue: '****' },
    ],
    [
      'x-api-key header',
      str('http.request.header.x-api-key', 'k'),
      { stringValue: '****' },
    ],
    ['db.password', str('db.password', 'hunter2'), { stringValue: '****' }],
    [
      'client_secret',
      str('oauth.client_secret', 's3cr3t'),
      { stringValue: '****' },
    ],
    [
      'accessToken (camelCase)',
      str('accessToken', 'x'),
      { stringValue: '****' },
    ],
    ['api_key', str('api_key', 'x'), { stringValue: '****' }],
    ['apikey', str('service.apikey', 'x'), { stringValue: '****' }],
    ['API Key with space', str('API Key', 'x'), { stringValue: '****' }],
    ['credentials', str('aws.credentials', 'x'), { stringValue: '****' }],
    [
      'numeric value under a secret key',
      { key: 'pin.secret', value: { intValue: 1234 } },
      { stringValue: '****' },
    ],
    [
      'token counts stay',
      { key: 'gen_ai.usage.input_tokens', value: { intValue: 12 } },
      { intValue: 12 },
    ],
    ['tokenizer stays', str('nlp.tokenizer', 'bpe'), { stringValue: 'bpe' }],
    ['secretary stays', str('role', 'secretary'), { stringValue: 'secretary' }],
    [
      'bearer token in a value',
      str(
        'log.message',
        'sent Authorization: Bearer abcdefgh12345678 upstream',
      ),
      { stringValue: 'sent Authorization: **** upstream' },
    ],
    [
      'basic auth in a value',
      str('curl', '-H Basic dXNlcjpwYXNzd29yZA=='),
      { stringValue: '-H ****' },
    ],
    ['JWT in a value', str('note', `id=${JWT}`), { stringValue: 'id=****' }],
    [
      'card number (Luhn ok)',
      str('payment.note', 'card 4111 1111 1111 1111 declined'),
      { stringValue: 'card **** declined' },
    ],
    [
      'card-like number failing Luhn stays',
      str('order.ref', '4111 1111 1111 1112'),
      { stringValue: '4111 1111 1111 1112' },
    ],
    [
      'password in a URL',
      str('db.connection_string', 'postgres://app:hunter2@db:5432/x'),
      { stringValue: 'postgres://app:****@db:5432/x' },
    ],
    [
      'access_token in url.full',
      str(
        'url.full',
        'https://api.example.com/v1/items?access_token=AT-123.x&page=2#frag',
      ),
      {
        stringValue:
          'https://api.example.com/v1/items?access_token=****&page=2#frag',
      },
    ],
    [
      'token, sig and se in http.url (Azure SAS)',
      str(
        'http.url',
        'https://acct.blob.core.windows.net/c/b?sv=2020-08-04&se=2030&sig=abc%2Bdef%3D&token=t0k',
      ),
      {
        stringValue:
          'https://acct.blob.core.windows.net/c/b?sv=2020-08-04&se=2030&sig=****&token=****',
      },
    ],
    [
      'X-Amz-Signature and X-Amz-Credential in a presigned URL',
      str(
        'url.full',
        'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=f00dfeed',
      ),
      {
        stringValue:
          'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=****&X-Amz-Signature=****',
      },
    ],
    [
      'api_key, apikey, signature, password and key in url.query',
      str(
        'url.query',
        'api_key=K1&apikey=K2&signature=S3&password=P4&key=K5&q=shoes',
      ),
      {
        stringValue:
          'api_key=****&apikey=****&signature=****&password=****&key=****&q=shoes',
      },
    ],
    [
      'Password= in an ADO.NET connection string',
      str(
        'db.connection_string',
        'Server=db;Database=x;User Id=sa;Password=Pa55word!;Encrypt=true',
      ),
      {
        stringValue:
          'Server=db;Database=x;User Id=sa;Password=****;Encrypt=true',
      },
    ],
    [
      'Pwd={...} in an ODBC connection string',
      str('db.connection_string', 'Driver={ODBC};Uid=u;Pwd={p;w};Server=x'),
      { stringValue: 'Driver={ODBC};Uid=u;Pwd=****;Server=x' },
    ],
    [
      'password= in a libpq connection string, under any key',
      str('config.dsn', 'host=db user=app password=hunter3 dbname=x'),
      { stringValue: 'host=db user=app password=**** dbname=x' },
    ],
    [
      "IDENTIFIED BY 'x' in db.statement",
      str('db.statement', "CREATE USER bob IDENTIFIED BY 'S3cret!' ;"),
      { stringValue: 'CREATE USER bob IDENTIFIED BY **** ;' },
    ],
    [
      "PASSWORD 'x' in db.statement",
      str('db.statement', "ALTER ROLE app WITH PASSWORD 'it''s'"),
      { stringValue: 'ALTER ROLE app WITH PASSWORD ****' },
    ],
    [
      "password = 'x' in db.statement",
      str('db.statement', "UPDATE u SET password = 'a b' WHERE id = 1"),
      { stringValue: 'UPDATE u SET password = **** WHERE id = 1' },
    ],
    [
      'password in JSON text',
      str('http.request.body', '{"user":"u","password":"x y"}'),
      { stringValue: '{"user":"u","password":****}' },
    ],
    [
      'a JWT as access_token is counted once',
      str('url.full', `https://x/cb#access_token=${JWT}&state=1`),
      { stringValue: 'https://x/cb#access_token=****&state=1' },
    ],
    ['db.pwd', str('db.pwd', 'x'), { stringValue: '****' }],
    [
      'passwordHash key stays (the name is not a secret on its own)',
      str('passwordHash', 'algo'),
      { stringValue: 'algo' },
    ],
    [
      'status_code=, sort_key=, max_tokens=, error code: and password reset stay',
      str(
        'log.message',
        'status_code=200 sort_key=name max_tokens=100 error code: 404 POST /password/reset',
      ),
      {
        stringValue:
          'status_code=200 sort_key=name max_tokens=100 error code: 404 POST /password/reset',
      },
    ],
    [
      'plain values stay',
      str('http.route', '/api/orders/{id}'),
      { stringValue: '/api/orders/{id}' },
    ],
  ])('%s', (_name, attr, expected) => {
    const { out } = sanitize([attr]);
    expect(out[attr.key!]).toEqual(expected);
  });

  it('recurses into kvlist and array values', () => {
    const { out, count } = sanitize([
      {
        key: 'request',
        value: {
          kvlistValue: {
            values: [
              str('password', 'p'),
              str('user', 'bob'),
              {
                key: 'notes',
                value: {
                  arrayValue: {
                    values: [
                      { stringValue: `t ${JWT}` },
                      { stringValue: 'ok' },
                    ],
                  },
                },
              },
            ],
          },
        },
      },
    ]);
    expect(out.request).toEqual({
      kvlistValue: {
        values: [
          str('password', '****'),
          str('user', 'bob'),
          {
            key: 'notes',
            value: {
              arrayValue: {
                values: [{ stringValue: 't ****' }, { stringValue: 'ok' }],
              },
            },
          },
        ],
      },
    });
    expect(count).toBe(2);
  });

  it('sets the per-span redaction count and counts by action and location, never with values', () => {
    const redactions: string[] = [];
    const sanitizer = new Sanitizer({
      rules: [],
      useDefaults: true,
      onRedaction: (a, l) => redactions.push(`${a}@${l}`),
    });
    const batch = batchOf([str('db.password', 'x'), str('ok', 'y')]);
    const rs = batch.resourceSpans[0];
    rs.resource!.attributes!.push(str('deploy.token', 'z'));
    const span = rs.scopeSpans![0].spans![0];
    span.events = [
      { name: 'e', attributes: [str('msg', 'Bearer abcdefgh12345678')] },
    ];
    span.links = [{ attributes: [str('secret', 'q')] }];
    expect(sanitizer.process(batch)).toBe(4);
    expect(
      span.attributes!.find(kv => kv.key === REDACTED_COUNT_ATTRIBUTE)!.value,
    ).toEqual({ intValue: 3 });
    expect(redactions.sort()).toEqual([
      'mask@event',
      'mask@link',
      'mask@resource',
      'mask@span',
    ]);
  });

  it('applies the value rules to span names, status messages and event names', () => {
    const redactions: string[] = [];
    const sanitizer = new Sanitizer({
      rules: [
        { name: 'emails', value: '[a-z0-9.]+@[a-z0-9.]+', action: 'delete' },
      ],
      useDefaults: true,
      onRedaction: (a, l) => redactions.push(`${a}@${l}`),
    });
    const batch = batchOf([]);
    const rs = batch.resourceSpans[0];
    const span = rs.scopeSpans![0].spans![0];
    span.name = 'GET https://bob:hunter2@db.internal/orders';
    span.status = {
      code: 2,
      message: 'upstream refused Bearer abcdefgh12345678',
    };
    span.events = [
      { name: 'login failed for bob@example.test' },
      { name: 'exception' },
    ];
    expect(sanitizer.process(batch)).toBe(3);
    expect(span.name).toBe('GET https://bob:****@db.internal/orders');
    expect(span.status.message).toBe('upstream refused ****');
    // a delete rule cannot remove a name: the whole text is masked
    expect(span.events[0].name).toBe('****');
    expect(span.events[1].name).toBe('exception');
    expect(redactions.sort()).toEqual([
      'delete@event_name',
      'mask@span_name',
      'mask@status_message',
    ]);
  });

  it('redacts scope names and versions, span and link trace states', () => {
    const redactions: string[] = [];
    const sanitizer = new Sanitizer({
      rules: [],
      useDefaults: true,
      onRedaction: (a, l) => redactions.push(`${a}@${l}`),
    });
    const batch = batchOf([]);
    const rs = batch.resourceSpans[0];
    const ss = rs.scopeSpans![0];
    ss.scope = {
      name: 'https://u:scope-pw@repo.example/lib',
      version: `1.0+token=${JWT}`,
    };
    const span = ss.spans![0];
    span.traceState = 'ot=th:8,vendor=apikey:k3y-v4lue';
    span.links = [{ traceState: 'acme=Bearer abcdefgh12345678' }];
    expect(sanitizer.process(batch)).toBe(4);
    expect(ss.scope.name).toBe('https://u:****@repo.example/lib');
    expect(ss.scope.version).toBe('1.0+token=****');
    expect(span.traceState).toBe('ot=th:8,vendor=apikey:****');
    expect(span.links[0].traceState).toBe('acme=****');
    expect(redactions.sort()).toEqual([
      'mask@scope_name',
      'mask@scope_version',
      'mask@trace_state',
      'mask@trace_state',
    ]);
  });

  it('redacts bytes values, also nested in arrays and kvlists, and keeps other bytes', () => {
    const bytes = (text: string) => ({
      bytesValue: Buffer.concat([
        Buffer.from([0xff, 0x00]),
        Buffer.from(text),
        Buffer.from([0xc3, 0xa9]),
      ]),
    });
    const { out, count } = sanitize([
      { key: 'raw', value: bytes('Authorization: Bearer abcdefgh12345678') },
      {
        key: 'list',
        value: { arrayValue: { values: [bytes('password=b2 end')] } },
      },
      {
        key: 'map',
        value: {
          kvlistValue: {
            values: [{ key: 'dsn', value: bytes('pg://u:b3@h/x') }],
          },
        },
      },
      { key: 'clean', value: bytes('nothing here') },
    ]);
    expect(count).toBe(3);
    expect(out.raw).toEqual(bytes('Authorization: ****'));
    expect(out.list.arrayValue!.values![0]).toEqual(bytes('password=**** end'));
    expect(out.map.kvlistValue!.values![0].value).toEqual(
      bytes('pg://u:****@h/x'),
    );
    expect(out.clean).toEqual(bytes('nothing here'));
  });

  it('counts a secret once when two rules find it (a JWT as access_token)', () => {
    const { out, count, redactions } = sanitize([
      str('url.full', `https://x/cb?access_token=${JWT}&state=1`),
    ]);
    expect(out['url.full']).toEqual({
      stringValue: 'https://x/cb?access_token=****&state=1',
    });
    expect(count).toBe(1);
    expect(redactions).toEqual(['mask@span']);
  });

  it('runs configured value rules on RE2: ((.)+)+X on a 10,000-character value', () => {
    // On JavaScript's RegExp this takes exponential time: the test would hang.
    const { out, count } = sanitize(
      [str('a', 'a'.repeat(10_000)), str('b', `${'b'.repeat(10_000)}X`)],
      [{ value: '((.)+)+X', action: 'mask' }],
      false,
    );
    expect(out.a).toEqual({ stringValue: 'a'.repeat(10_000) });
    expect(out.b).toEqual({ stringValue: '****' });
    expect(count).toBe(1);
  });

  it('leaves clean spans without a redaction count', () => {
    expect(sanitize([str('http.method', 'GET')]).redactedCount).toBeUndefined();
  });

  it('can be switched off', () => {
    expect(
      sanitize([str('db.password', 'x')], [], false).out['db.password'],
    ).toEqual({ stringValue: 'x' });
  });
});

describe('Sanitizer configured rules', () => {
  it.each<[string, SanitizerRuleConfig, KeyValue, AnyValue | undefined]>([
    [
      'key delete',
      { key: '^user\\.email$', action: 'delete' },
      str('user.email', 'a@b.c'),
      undefined,
    ],
    [
      'key hash',
      { key: '^user\\.email$', action: 'hash' },
      str('user.email', 'a@b.c'),
      { stringValue: sha('a@b.c') },
    ],
    [
      'key mask',
      { key: '^user\\.email$', action: 'mask' },
      str('user.email', 'a@b.c'),
      { stringValue: '****' },
    ],
    [
      'value mask',
      { value: '[\\w.]+@[\\w.]+', action: 'mask' },
      str('msg', 'mail a@b.c now'),
      { stringValue: 'mail **** now' },
    ],
    [
      'value hash',
      { value: '[\\w.]+@[\\w.]+', action: 'hash' },
      str('msg', 'mail a@b.c'),
      { stringValue: `mail ${sha('a@b.c')}` },
    ],
    [
      'value delete',
      { value: '[\\w.]+@[\\w.]+', action: 'delete' },
      str('msg', 'mail a@b.c'),
      undefined,
    ],
    [
      'key and value: both must match',
      { key: '^msg$', value: 'ssn=\\d+', action: 'mask' },
      str('msg', 'ssn=123'),
      { stringValue: '****' },
    ],
    [
      'key and value: other keys untouched',
      { key: '^msg$', value: 'ssn=\\d+', action: 'mask' },
      str('other', 'ssn=123'),
      { stringValue: 'ssn=123' },
    ],
  ])('%s', (_name, rule, attr, expected) => {
    const before = attr.value?.stringValue;
    const { out, count } = sanitize([attr, str('keep', 'me')], [rule], false);
    expect(out[attr.key!]).toEqual(expected);
    expect(out.keep).toEqual({ stringValue: 'me' });
    expect(count).toBe(expected?.stringValue === before ? 0 : 1);
  });
});

describe('Sanitizer and the wire re-use', () => {
  it('re-encodes only what it touched', () => {
    const body = ExportTraceServiceRequestCodec.encode({
      resourceSpans: [
        batchOf([str('db.password', 'hunter2')]).resourceSpans[0],
        batchOf([str('a', 'b')]).resourceSpans[0],
      ],
    }).finish();
    const resourceSpans = decodeExportRequest(Buffer.from(body));
    new Sanitizer({ rules: [], useDefaults: true }).process({
      resourceSpans,
      spanCount: 2,
      bytes: 0,
    });
    const out = encodeExportRequest(resourceSpans);
    expect(out.includes('hunter2')).toBe(false);
    const decoded = ExportTraceServiceRequestCodec.decode(out);
    const attrs = decoded.resourceSpans!.map(rs =>
      rs.scopeSpans![0].spans![0].attributes!.map(kv => kv.key),
    );
    expect(attrs).toEqual([['db.password', REDACTED_COUNT_ATTRIBUTE], ['a']]);
  });
});

describe('passesLuhn', () => {
  it.each([
    ['4111111111111111', true],
    ['4111-1111-1111-1111', true],
    ['5500 0000 0000 0004', true],
    ['4111111111111112', false],
    ['0000', false],
  ])('%s → %s', (input, expected) => expect(passesLuhn(input)).toBe(expected));
});
