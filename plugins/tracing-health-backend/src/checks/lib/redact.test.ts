import { mockServices } from '@backstage/backend-test-utils';
import {
  checkSecrets,
  REDACTED,
  redactingLogger,
  redactSecrets,
  redactUrl,
} from './redact';

describe('redactUrl', () => {
  it.each([
    ['http://user:pw@es:9200/', 'http://es:9200/'],
    ['https://u:p%40ss@h/x?token=abc&q=1', `https://h/x?token=${REDACTED}&q=1`],
    [
      'http://h/?access_token=a&api_key=b&apiKey=c&password=d&sig=e&X-Amz-Signature=f&limit=5',
      `http://h/?access_token=${REDACTED}&api_key=${REDACTED}&apiKey=${REDACTED}&password=${REDACTED}&sig=${REDACTED}&X-Amz-Signature=${REDACTED}&limit=5`,
    ],
    ['http://h/cb#access_token=a', `http://h/cb#access_token=${REDACTED}`],
    ['es.internal:9200', 'es.internal:9200'],
    ['http://h:1/api?query=up', 'http://h:1/api?query=up'],
    ['http://h/?token=abc: refused', `http://h/?token=${REDACTED}: refused`],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('redactSecrets', () => {
  it('strips credentials from every URL in a text and masks echoed credentials', () => {
    expect(
      redactSecrets(
        'fetch http://a:b@h1/x failed; retried https://c:d@h2/?token=zz then GET /p?api_key=k1 Authorization: Bearer abcdefghijkl',
      ),
    ).toBe(
      `fetch http://h1/x failed; retried https://h2/?token=${REDACTED} then GET /p?api_key=${REDACTED} Authorization: Bearer ${REDACTED}`,
    );
  });

  it("replaces the check's literal secrets wherever they appear", () => {
    const secrets = checkSecrets({
      target: 'http://user:S3cret%21@h/?token=tok-123',
      headers: { 'X-Api-Key': 'key-456', accept: 'application/json' },
      options: { metricsUrl: 'http://m:mpass99@h:8888/', apiToken: 'opt-789' },
    });
    const text = [
      'S3cret!',
      'S3cret%21',
      'tok-123',
      'key-456',
      'mpass99',
      'opt-789',
      Buffer.from('user:S3cret!').toString('base64'),
    ].join(' | ');
    expect(redactSecrets(text, secrets)).toBe(
      Array(7).fill(REDACTED).join(' | '),
    );
    expect(redactSecrets('application/json', secrets)).toBe('application/json');
  });

  it('decodes a configured Basic header into the password it carries', () => {
    const secrets = checkSecrets({
      headers: {
        Authorization: `Basic ${Buffer.from('elastic:changeme1').toString(
          'base64',
        )}`,
      },
    });
    expect(redactSecrets('login elastic:changeme1 failed', secrets)).toBe(
      `login ${REDACTED} failed`,
    );
    expect(redactSecrets('password changeme1', secrets)).toBe(
      `password ${REDACTED}`,
    );
  });
});

describe('redactingLogger', () => {
  it('redacts messages, metadata and errors before they reach the logger', () => {
    const logger = mockServices.logger.mock();
    const redacting = redactingLogger(logger, text =>
      redactSecrets(text, ['hunter22']),
    );
    redacting.warn('login http://u:hunter22@h/ failed', {
      url: 'http://h/?token=abc',
    });
    redacting.error('failed', new Error('password hunter22 refused'));
    expect(logger.warn).toHaveBeenCalledWith('login http://h/ failed', {
      url: `http://h/?token=${REDACTED}`,
    });
    expect((logger.error as jest.Mock).mock.calls[0][1].message).toBe(
      `password ${REDACTED} refused`,
    );
  });
});
