import { createHash } from 'node:crypto';
import { SanitizerRuleConfig } from './config';
import { AnyValue, KeyValue, ResourceSpans, SpanBatch } from './model';
import { ExportTraceServiceRequestCodec } from './otlpRoot';
import { passesLuhn, REDACTED_COUNT_ATTRIBUTE, Sanitizer } from './sanitizer';
import { decodeExportRequest, encodeExportRequest } from './wire';

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
