import { HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { Readable } from 'node:stream';
import { IngestRequestRecord } from './IngestLog';

/** What the route needs from the pipeline: OTLP/HTTP request in, OTLP/HTTP response out. */
export interface OtlpRequestHandler {
  handle(request: {
    contentType: string | undefined;
    contentEncoding: string | undefined;
    /** The Content-Length header: what a request refused unread counts as refused bytes. */
    contentLength?: string;
    body: Readable;
  }): Promise<{
    status: number;
    headers: Record<string, string>;
    body: Buffer;
  }>;
}

/**
 * `POST /v1/traces`: OTLP/HTTP ingest. Only services may send: Backstage external-access
 * tokens (`backend.auth.externalAccess`) or other backend plugins; users get 403. The raw body
 * stream goes to the pipeline untouched (it decompresses and enforces the size limit). Other
 * methods get 405 with `Allow: POST`, so a misconfigured sender learns what is wrong. Every
 * finished request, whatever its outcome (401 and 403 included), goes to `log`.
 */
export function createIngestRouter(options: {
  httpAuth: HttpAuthService;
  pipeline: OtlpRequestHandler;
  log?: { request(record: IngestRequestRecord): void };
}) {
  const { httpAuth, pipeline, log } = options;
  const router = Router();
  if (log) {
    router.use('/v1/traces', (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const length = Number(req.headers['content-length']);
        log.request({
          method: req.method,
          status: res.statusCode,
          bytes: Number.isFinite(length) ? length : undefined,
          durationMs: performance.now() - started,
        });
      });
      next();
    });
  }
  router.post('/v1/traces', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const result = await pipeline.handle({
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      contentLength: req.headers['content-length'],
      body: req,
    });
    res.status(result.status);
    for (const [name, value] of Object.entries(result.headers)) {
      res.setHeader(name, value);
    }
    res.end(result.body);
  });
  router.all('/v1/traces', (req, res) => {
    res
      .status(405)
      .set('Allow', 'POST')
      .json({
        error: {
          name: 'MethodNotAllowedError',
          message: `${req.method} is not supported on /v1/traces; send OTLP/HTTP export requests with POST`,
        },
      });
  });
  return router;
}
