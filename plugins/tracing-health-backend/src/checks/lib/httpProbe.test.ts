import { IncomingHttpHeaders } from 'node:http';
import { startLoopbackServer } from '../__testUtils__/checkHarness';
import {
  httpProbe,
  joinUrl,
  MAX_PROBE_REDIRECTS,
  ResponseTooLargeError,
} from './httpProbe';

type Loopback = Awaited<ReturnType<typeof startLoopbackServer>>;

describe('httpProbe', () => {
  const signal = new AbortController().signal;
  let target: Loopback;
  let elsewhere: Loopback;
  const seenByTarget: Array<{ url?: string; headers: IncomingHttpHeaders }> =
    [];
  const seenElsewhere: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    elsewhere = await startLoopbackServer((req, res) => {
      seenElsewhere.push(req.headers);
      res.writeHead(200).end('elsewhere');
    });
    target = await startLoopbackServer((req, res) => {
      seenByTarget.push({ url: req.url, headers: req.headers });
      if (req.url === '/same') {
        res.writeHead(302, { location: '/landed' }).end();
      } else if (req.url === '/cross') {
        res
          .writeHead(307, {
            location: `http://intruder:stolen@${elsewhere.url.slice(7)}/x`,
          })
          .end();
      } else if (req.url === '/loop') {
        res.writeHead(301, { location: '/loop' }).end();
      } else if (req.url === '/endless') {
        // A body that never ends, written as fast as the client reads it.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          let more = true;
          while (more && !res.destroyed) more = res.write(chunk);
        };
        res.on('drain', pump);
        pump();
      } else if (req.url === '/declared-huge') {
        res.writeHead(200, { 'content-length': String(100 * 1048576) });
        res.write('x');
      } else {
        res.writeHead(200).end('landed');
      }
    });
  });
  afterAll(async () => {
    await target.close();
    await elsewhere.close();
  });
  beforeEach(() => {
    seenByTarget.length = 0;
    seenElsewhere.length = 0;
  });

  const headers = { authorization: 'Bearer t0ken-abc', 'x-api-key': 'k3y' };

  it('follows a same-origin redirect with the configured headers', async () => {
    const res = await httpProbe(`${target.url}/same`, { signal, headers });
    expect(res).toMatchObject({ status: 200, body: 'landed' });
    expect(seenByTarget.map(s => s.url)).toEqual(['/same', '/landed']);
    for (const seen of seenByTarget) {
      expect(seen.headers).toMatchObject(headers);
    }
  });

  it('sends neither configured headers nor credentials to another origin a redirect names', async () => {
    const res = await httpProbe(
      `http://user:pa55word@${target.url.slice(7)}/cross`,
      { signal, headers: { 'x-api-key': 'k3y' }, accept: 'text/plain' },
    );
    expect(res).toMatchObject({ status: 200, body: 'elsewhere' });
    expect(seenByTarget[0].headers).toMatchObject({
      'x-api-key': 'k3y',
      authorization: `Basic ${Buffer.from('user:pa55word').toString('base64')}`,
    });
    expect(seenElsewhere).toHaveLength(1);
    expect(seenElsewhere[0].accept).toBe('text/plain');
    expect(seenElsewhere[0]['x-api-key']).toBeUndefined();
    // Neither ours nor the credentials the Location carried.
    expect(seenElsewhere[0].authorization).toBeUndefined();
  });

  it(`stops after ${MAX_PROBE_REDIRECTS} redirects`, async () => {
    await expect(
      httpProbe(`${target.url}/loop`, { signal, headers }),
    ).rejects.toThrow(`more than ${MAX_PROBE_REDIRECTS} redirects`);
    expect(seenByTarget).toHaveLength(MAX_PROBE_REDIRECTS + 1);
  });

  it('stops reading an endless body at the cap instead of buffering it', async () => {
    const probe = httpProbe(`${target.url}/endless`, {
      signal,
      maxBodyBytes: 1048576,
    });
    await expect(probe).rejects.toThrow(ResponseTooLargeError);
    await expect(probe).rejects.toThrow(
      'answered 200 with a body over 1 MiB; stopped reading it',
    );
  });

  it('refuses a body whose declared length is over the cap without reading it', async () => {
    await expect(
      httpProbe(`${target.url}/declared-huge`, { signal }),
    ).rejects.toThrow('answered 200 with a body over 1 MiB');
  });
});

describe('joinUrl', () => {
  it.each([
    ['http://h:1', '/api/services', 'http://h:1/api/services'],
    ['http://h:1/base/', 'api', 'http://h:1/base/api'],
    [
      'http://h:1/base?token=t',
      '/_cat/allocation?format=json',
      'http://h:1/base/_cat/allocation?format=json&token=t',
    ],
    ['http://h:1/?token=t', '/api/services', 'http://h:1/api/services?token=t'],
  ])('joins %s and %s', (base, path, joined) => {
    expect(joinUrl(base, path)).toBe(joined);
  });
});
