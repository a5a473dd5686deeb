import http from 'node:http';
import https from 'node:https';

/** What an owner answered to a forward: its status and headers (the body is read and dropped). */
export interface PeerAnswer {
  status: number;
  retryAfter: string | null;
  headers: http.IncomingHttpHeaders;
}

/** A forward that got no answer within its time; the request was aborted. */
export class PeerTimeoutError extends Error {
  readonly name = 'TimeoutError';
}

/** Kept-alive connections to the peers: one pool per protocol, `maxSockets` per peer. */
export function peerAgents(maxSockets: number) {
  return {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
}

/**
 * POSTs `body` to `url` over node:http(s) on a kept-alive connection of `agents` (a forward is a
 * large body and a small answer: node:http costs the sender less CPU per request than fetch).
 * Rejects with PeerTimeoutError when no whole answer came within `timeoutMs`, and with the socket's
 * error when the connection failed or broke.
 */
export function postToPeer(
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMs: number,
  agents: ReturnType<typeof peerAgents>,
): Promise<PeerAnswer> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PeerAnswer>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.byteLength) },
        agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
      },
      res => {
        const retryAfter = res.headers['retry-after'];
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            headers: res.headers,
          }),
        );
        res.resume();
      },
    );
    const timer = setTimeout(
      () =>
        req.destroy(new PeerTimeoutError('the owner did not answer in time')),
      Math.max(1, Math.ceil(timeoutMs)),
    );
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
