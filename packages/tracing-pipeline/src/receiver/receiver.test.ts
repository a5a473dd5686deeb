import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { Admission } from './memoryLimiter';
import { ExportTraceServiceResponseCodec } from '../otlp/otlpRoot';
import { DecodedExport, OtlpHttpReceiver, OtlpHttpRequest } from './receiver';
import {
  chunks,
  decodeStatus,
  encodeRequest,
  makeRequest,
  makeResourceSpans,
  makeSpan,
} from '../testing/fixtures';

const PB = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function setup(
  admission: Admission = { admitted: true },
  maxBodyBytes = 1024 * 1024,
) {
  const accepted: DecodedExport[] = [];
  const receiver = new OtlpHttpReceiver({
    maxBodyBytes,
    accept: d => {
      accepted.push(d);
      return admission;
    },
  });
  return { receiver, accepted };
}

async function send(
  receiver: OtlpHttpReceiver,
  request: Partial<OtlpHttpRequest> & { body: OtlpHttpRequest['body'] },
) {
  const res = await receiver.handle({ contentType: PB, ...request });
  const type = res.headers['content-type'];
  const rpcStatus =
    res.status === 200 ? undefined : decodeStatus(res.body, type);
  return { ...res, type, rpcStatus };
}

const validJson = JSON.stringify({
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'checkout' } },
        ],
      },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'x',
            },
          ],
        },
      ],
    },
  ],
});

describe('OtlpHttpReceiver accepts', () => {
  const pb = encodeRequest(makeRequest({ a: 3, b: 2 }));
  it.each([
    ['protobuf', PB, undefined, [pb]],
    [
      'protobuf with charset parameter',
      'application/x-protobuf; charset=binary',
      undefined,
      [pb],
    ],
    [
      'protobuf in many chunks',
      PB,
      undefined,
      [pb.subarray(0, 7), pb.subarray(7, 100), pb.subarray(100)],
    ],
    ['gzip protobuf', PB, 'gzip', [gzipSync(pb)]],
    ['GZIP (case-insensitive)', PB, 'GZIP', [gzipSync(pb)]],
    ['deflate protobuf', PB, 'deflate', [deflateSync(pb)]],
    ['identity encoding', PB, 'identity', [pb]],
  ])('%s', async (_name, contentType, contentEncoding, parts) => {
    const { receiver, accepted } = setup();
    const res = await send(receiver, {
      contentType,
      contentEncoding,
      body: chunks(...parts),
    });
    expect(res.status).toBe(200);
    expect(res.type).toBe(PB);
    expect(
      ExportTraceServiceResponseCodec.decode(res.body).partialSuccess,
    ).toBeFalsy();
    expect(accepted[0].batch.spanCount).toBe(5);
    expect(accepted[0].receivedSpans).toBe(5);
    expect(accepted[0].batch.bytes).toBe(pb.length * 6);
  });

  it('JSON, answering in JSON', async () => {
    const { receiver, accepted } = setup();
    const res = await send(receiver, {
      contentType: JSON_TYPE,
      body: chunks(validJson),
    });
    expect(res.status).toBe(200);
    expect(res.type).toBe(JSON_TYPE);
    expect(JSON.parse(res.body.toString())).toEqual({});
    expect(accepted[0].format).toBe('json');
  });

  it('a Node Readable body', async () => {
    const { receiver, accepted } = setup();
    const res = await send(receiver, { body: Readable.from([pb]) });
    expect(res.status).toBe(200);
    expect(accepted).toHaveLength(1);
  });

  it('an empty request without calling the pipeline', async () => {
    const { receiver, accepted } = setup();
    const res = await send(receiver, { body: chunks() });
    expect(res.body).toHaveLength(0);
    expect(accepted).toHaveLength(0);
  });
});

describe('OtlpHttpReceiver partial success', () => {
  it.each([
    ['all-zero trace id', { traceId: Buffer.alloc(16) }, 'trace id'],
    ['short trace id', { traceId: Buffer.alloc(8, 1) }, 'trace id'],
    ['missing span id', { spanId: Buffer.alloc(0) }, 'span id'],
    ['all-zero span id', { spanId: Buffer.alloc(8) }, 'span id'],
    [
      'bad parent span id',
      { parentSpanId: Buffer.alloc(3, 1) },
      'parent span id',
    ],
  ])(
    'rejects a span with %s and keeps the rest',
    async (_name, override, reason) => {
      const { receiver, accepted } = setup();
      const body = encodeRequest({
        resourceSpans: [
          makeResourceSpans('a', [makeSpan(), makeSpan(override), makeSpan()]),
        ],
      });
      const res = await send(receiver, { body: chunks(body) });
      expect(res.status).toBe(200);
      const partial = ExportTraceServiceResponseCodec.decode(res.body)
        .partialSuccess!;
      expect(Number(partial.rejectedSpans)).toBe(1);
      expect(partial.errorMessage).toContain(reason);
      expect(accepted[0]).toMatchObject({
        receivedSpans: 3,
        rejectedSpans: 1,
        batch: { spanCount: 2 },
      });
    },
  );

  it.each([
    ['no service.name', undefined],
    ['empty service.name', ''],
  ])('rejects resources with %s', async (_name, service) => {
    const { receiver, accepted } = setup();
    const body = encodeRequest({
      resourceSpans: [
        makeResourceSpans(service, [makeSpan(), makeSpan()]),
        makeResourceSpans('ok', [makeSpan()]),
      ],
    });
    const res = await send(receiver, { contentType: PB, body: chunks(body) });
    const partial = ExportTraceServiceResponseCodec.decode(res.body)
      .partialSuccess!;
    expect(Number(partial.rejectedSpans)).toBe(2);
    expect(partial.errorMessage).toBe(
      'rejected 2 spans without a non-empty service.name resource attribute',
    );
    expect(accepted[0].batch.resourceSpans).toHaveLength(1);
  });

  it('answers JSON partial success with rejectedSpans as a string', async () => {
    const { receiver } = setup();
    const res = await send(receiver, {
      contentType: JSON_TYPE,
      body: chunks(validJson.replace('eee19b7ec3c1b174', '0000000000000000')),
    });
    expect(JSON.parse(res.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage:
          'rejected 1 span with a span id that is not 8 bytes or is all zeros',
      },
    });
  });

  it('still tells the pipeline when every span was rejected', async () => {
    const { receiver, accepted } = setup();
    await send(receiver, {
      body: chunks(
        encodeRequest({
          resourceSpans: [makeResourceSpans(undefined, [makeSpan()])],
        }),
      ),
    });
    expect(accepted[0]).toMatchObject({
      receivedSpans: 1,
      rejectedSpans: 1,
      batch: { spanCount: 0 },
    });
  });
});

describe('OtlpHttpReceiver refuses', () => {
  const pb = encodeRequest(makeRequest({ a: 2 }));

  it.each([
    [429, 8],
    [503, 14],
  ] as const)(
    'with %i and Retry-After when the limiter says so',
    async (status, code) => {
      const { receiver } = setup({
        admitted: false,
        status,
        retryAfterSeconds: 3,
        message: 'busy',
      });
      const res = await send(receiver, { body: chunks(pb) });
      expect(res.status).toBe(status);
      expect(res.rpcStatus).toEqual({ code, message: 'busy' });
      expect(res.headers['retry-after']).toBe('3');
      expect(res.type).toBe(PB);
    },
  );

  it('refuses before reading the body when the precheck says so', async () => {
    let read = false;
    async function* body() {
      read = true;
      yield pb;
    }
    const receiver = new OtlpHttpReceiver({
      maxBodyBytes: 1e6,
      precheck: () => ({
        admitted: false,
        status: 429,
        retryAfterSeconds: 4,
        message: 'full',
      }),
      accept: () => ({ admitted: true }),
    });
    const res = await receiver.handle({ contentType: PB, body: body() });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('4');
    expect(read).toBe(false);
  });

  it('answers 500 only when the pipeline itself throws', async () => {
    const receiver = new OtlpHttpReceiver({
      maxBodyBytes: 1e6,
      accept: () => {
        throw new Error('bug');
      },
    });
    expect(
      (await receiver.handle({ contentType: PB, body: chunks(pb) })).status,
    ).toBe(500);
  });
});

describe('OtlpHttpReceiver bad input', () => {
  const pb = encodeRequest(makeRequest({ a: 3 }));
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));

  it.each<
    [string, Partial<OtlpHttpRequest>, (Buffer | string)[], number, string]
  >([
    [
      'no content type',
      { contentType: undefined },
      [pb],
      415,
      'unsupported content type',
    ],
    [
      'text/plain',
      { contentType: 'text/plain' },
      ['hi'],
      415,
      'unsupported content type "text/plain"',
    ],
    [
      'unknown encoding',
      { contentEncoding: 'zstd' },
      [pb],
      415,
      'unsupported content encoding "zstd"',
    ],
    [
      'truncated protobuf',
      {},
      [pb.subarray(0, pb.length - 5)],
      400,
      'invalid protobuf payload',
    ],
    [
      'random bytes as protobuf',
      {},
      [Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])],
      400,
      'invalid protobuf payload',
    ],
    ['JSON sent as protobuf', {}, [validJson], 400, 'invalid protobuf payload'],
    [
      'broken JSON',
      { contentType: JSON_TYPE },
      ['{"resourceSpans":['],
      400,
      'invalid JSON payload: invalid JSON',
    ],
    [
      'wrong JSON types',
      { contentType: JSON_TYPE },
      ['{"resourceSpans":[{"scopeSpans":"x"}]}'],
      400,
      'resourceSpans[0].scopeSpans: must be an array',
    ],
    [
      'invalid hex ids',
      { contentType: JSON_TYPE },
      [validJson.replace('5b8efff798038103d269b633813fc60c', 'not-hex')],
      400,
      'traceId: invalid hex string',
    ],
    [
      'gzip header but plain body',
      { contentEncoding: 'gzip' },
      [pb],
      400,
      'could not read request body',
    ],
    [
      'truncated gzip',
      { contentEncoding: 'gzip' },
      [gzipSync(pb).subarray(0, 20)],
      400,
      'could not read request body',
    ],
    [
      'oversize body',
      {},
      [Buffer.alloc(600 * 1024), Buffer.alloc(600 * 1024)],
      413,
      'exceeds 1048576 bytes',
    ],
    [
      'gzip bomb',
      { contentEncoding: 'gzip' },
      [bomb],
      413,
      'after decompression',
    ],
  ])('%s', async (_name, request, parts, status, message) => {
    const { receiver, accepted } = setup();
    const res = await send(receiver, { ...request, body: chunks(...parts) });
    expect(res.status).toBe(status);
    expect(res.rpcStatus!.message).toContain(message);
    expect(accepted).toHaveLength(0);
  });

  it('stops inflating a gzip bomb early', async () => {
    const { receiver } = setup(undefined, 1024 * 1024);
    // 200 gzip members of 50 MiB of zeros each: 10 GiB inflated.
    const members = 200;
    let consumed = 0;
    async function* body() {
      for (let m = 0; m < members; m++) {
        for (let i = 0; i < bomb.length; i += 4096) {
          consumed += Math.min(4096, bomb.length - i);
          yield bomb.subarray(i, i + 4096);
        }
      }
    }
    const res = await receiver.handle({
      contentType: PB,
      contentEncoding: 'gzip',
      body: body(),
    });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(consumed).toBeLessThan(bomb.length * members);
  });

  it('answers 400 naming the field for a 2,000,000-digit time, before parsing it', async () => {
    const { receiver, accepted } = setup(undefined, 8 * 1024 * 1024);
    const digits = '1'.repeat(2_000_000);
    const body = gzipSync(
      validJson.replace(
        '"name":"x"',
        `"name":"x","startTimeUnixNano":"${digits}"`,
      ),
    );
    const res = await send(receiver, {
      contentType: JSON_TYPE,
      contentEncoding: 'gzip',
      body: chunks(body),
    });
    expect(res.status).toBe(400);
    expect(res.rpcStatus!.message).toContain(
      'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: integer string too long',
    );
    expect(accepted).toHaveLength(0);
  });

  it('reports a body stream error as 400', async () => {
    const { receiver } = setup();
    async function* failing(): AsyncIterable<Buffer> {
      yield Buffer.from([0x0a]);
      throw new Error('socket hang up');
    }
    const res = await receiver.handle({ contentType: PB, body: failing() });
    expect(res.status).toBe(400);
  });
});
