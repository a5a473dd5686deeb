import { ExportTraceServiceResponseCodec } from './otlpRoot';
import { partialSuccessOf } from './partialSuccess';

const protobuf = (rejectedSpans: number, errorMessage: string) =>
  ExportTraceServiceResponseCodec.encode({
    partialSuccess: { rejectedSpans, errorMessage },
  }).finish();

describe('partialSuccessOf', () => {
  it('reads rejected spans and the message from a protobuf response', () => {
    expect(
      partialSuccessOf(protobuf(3, 'span too large'), 'application/x-protobuf'),
    ).toEqual({ rejected: 3, message: 'span too large' });
  });

  it('reads a JSON response, where int64 comes as a string', () => {
    const body = Buffer.from(
      JSON.stringify({
        partialSuccess: { rejectedSpans: '2', errorMessage: 'quota\nexceeded' },
      }),
    );
    expect(partialSuccessOf(body, 'application/json; charset=utf-8')).toEqual({
      rejected: 2,
      message: 'quota exceeded',
    });
  });

  it.each([
    ['an empty body', Buffer.alloc(0), 'application/x-protobuf'],
    [
      'a response without partial_success',
      Buffer.from('{}'),
      'application/json',
    ],
    ['zero rejected (a warning only)', protobuf(0, 'deprecated field'), null],
    ['an undecodable body', Buffer.from('<html>ok</html>'), 'application/json'],
  ])('treats %s as everything accepted', (_name, body, type) => {
    expect(partialSuccessOf(body, type)).toEqual({ rejected: 0, message: '' });
  });
});
