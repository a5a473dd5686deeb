import { AuthService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  CLUSTER_METRICS,
  TRACING_HEALTH_PLUGIN_ID,
} from '@internal/plugin-tracing-health-common';
import type {
  OtlpHttpRequest,
  OtlpHttpResponse,
} from '@internal/tracing-pipeline';
import Router from 'express-promise-router';
import { Counter, Registry } from 'prom-client';
import {
  CLUSTER_INGEST_PATH,
  FORWARDED_BY_HEADER,
  FORWARDED_SHARD_HEADER,
  FORWARDED_SPANS_HEADER,
  OWNER_WORKERS_HEADER,
  parseShard,
} from './PeerForwarder';

/** A forward never holds more spans than a request may (the receiver bounds it anyway). */
const MAX_COUNTED_SPANS = 10_000_000;

/**
 * `POST /cluster/v1/traces`: spans another replica forwarded because this one owns their traces.
 * Only this plugin's own service tokens may call it (another replica of it); external-access
 * tokens, the ingest token included, and users get 403. The spans are decided here, never
 * routed on (`routed`), through the same receiver, limits and memory limiter as `/v1/traces`.
 * Every answer names this replica's pipeline workers, so the sender can split what it forwards
 * by them; a forward marked with its worker's shard goes straight to that worker.
 */
export function createClusterRouter(options: {
  auth: AuthService;
  httpAuth: HttpAuthService;
  pipeline: { handle(request: OtlpHttpRequest): Promise<OtlpHttpResponse> };
  /** This replica's pipeline worker threads (0: in the calling thread). */
  workers: number;
  isMember(id: string): boolean;
  registry: Registry;
}) {
  const { auth, httpAuth, pipeline, workers, isMember, registry } = options;
  const received = new Counter({
    name: CLUSTER_METRICS.receivedSpans,
    help: 'Spans received from another replica that routed them to this one, their owner.',
    labelNames: ['peer'],
    registers: [registry],
  });
  const router = Router();
  router.post(CLUSTER_INGEST_PATH, async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    if (
      !auth.isPrincipal(credentials, 'service') ||
      credentials.principal.subject !== `plugin:${TRACING_HEALTH_PLUGIN_ID}`
    )
      throw new NotAllowedError(
        'only another replica of this plugin may forward spans here',
      );
    res.setHeader(OWNER_WORKERS_HEADER, String(workers));
    const result = await pipeline.handle({
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      contentLength: req.headers['content-length'],
      body: req,
      routed: true,
      shard: parseShard(req.headers[FORWARDED_SHARD_HEADER]),
    });
    if (result.status === 200) {
      const from = String(req.headers[FORWARDED_BY_HEADER] ?? '');
      const spans = Number(req.headers[FORWARDED_SPANS_HEADER]);
      if (Number.isInteger(spans) && spans > 0)
        received.inc(
          // The label stays bounded: only live members name themselves.
          { peer: isMember(from) ? from : 'unknown' },
          Math.min(spans, MAX_COUNTED_SPANS),
        );
    }
    res.status(result.status);
    for (const [name, value] of Object.entries(result.headers))
      res.setHeader(name, value);
    res.end(result.body);
  });
  return router;
}
