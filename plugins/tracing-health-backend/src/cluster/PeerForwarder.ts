import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  CLUSTER_METRICS,
  TRACING_HEALTH_PLUGIN_ID,
} from '@internal/plugin-tracing-health-common';
import type { ForwardOutcome } from '@internal/tracing-pipeline';
import { Counter, Registry } from 'prom-client';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** The internal route a replica receives its traces' spans on (see createClusterRouter). */
export const CLUSTER_INGEST_PATH = '/cluster/v1/traces';
/** Who sent a forward (its member id) and how many spans it holds. */
export const FORWARDED_BY_HEADER = 'x-tracing-health-member';
export const FORWARDED_SPANS_HEADER = 'x-tracing-health-spans';

/** Service tokens are reused this long (they live an hour). */
const TOKEN_REUSE_MS = 60_000;

/** Why a forward failed, from the owner's HTTP status. */
function reasonOfStatus(status: number): string {
  if (status === 429 || status === 503) return 'refused';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'server_error';
  return 'rejected';
}

/**
 * Sends spans to the replica that owns their traces: OTLP/HTTP protobuf, gzip, on the owner's
 * internal route, authenticated with a Backstage service token of this plugin (never the public
 * ingest token). Resolves with the outcome; never rejects. A failed forward is counted by reason
 * here and decided by the caller locally (see createClusterShardRouter).
 */
export class PeerForwarder {
  private token?: { value: string; until: number };
  private readonly forwarded: Counter<'peer'>;
  private readonly failures: Counter<'reason'>;
  private readonly failedSpans: Counter<'reason'>;

  constructor(
    private readonly options: {
      auth: AuthService;
      /** This replica's member id. */
      self: string;
      /** Whether a member id is a live member now (only those are sent to). */
      isMember(id: string): boolean;
      timeoutMs: number;
      registry: Registry;
      logger: LoggerService;
      fetch?: typeof fetch;
    },
  ) {
    const { registry } = options;
    this.forwarded = new Counter({
      name: CLUSTER_METRICS.forwardedSpans,
      help: 'Spans forwarded to the replica that owns their trace.',
      labelNames: ['peer'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: CLUSTER_METRICS.forwardFailures,
      help: 'Forwards to an owner replica that failed, by reason; their spans were decided here.',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.failedSpans = new Counter({
      name: CLUSTER_METRICS.forwardFailedSpans,
      help: 'Spans of failed forwards, decided here instead of by their owner.',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  async forward(
    peer: string,
    body: Uint8Array,
    spans: number,
  ): Promise<ForwardOutcome> {
    const fail = (reason: string): ForwardOutcome => {
      this.failures.inc({ reason });
      this.failedSpans.inc({ reason }, spans);
      return { ok: false, reason };
    };
    if (peer === this.options.self || !this.options.isMember(peer))
      return fail('unknown_peer');
    let token: string;
    let compressed: Buffer;
    try {
      token = await this.serviceToken();
      compressed = await gzipAsync(body, { level: 1 });
    } catch (e) {
      this.options.logger.warn('could not prepare a forward to a peer', {
        error: String(e),
      });
      return fail('internal_error');
    }
    try {
      const res = await (this.options.fetch ?? fetch)(
        `${peer}/api/${TRACING_HEALTH_PLUGIN_ID}${CLUSTER_INGEST_PATH}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/x-protobuf',
            'content-encoding': 'gzip',
            [FORWARDED_BY_HEADER]: this.options.self,
            [FORWARDED_SPANS_HEADER]: String(spans),
          },
          body: compressed,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        },
      );
      await res.arrayBuffer().catch(() => undefined);
      if (res.status !== 200) {
        if (res.status === 401) this.token = undefined;
        return fail(reasonOfStatus(res.status));
      }
      this.forwarded.inc({ peer }, spans);
      return { ok: true };
    } catch (e) {
      const name = (e as Error)?.name;
      return fail(
        name === 'TimeoutError' || name === 'AbortError'
          ? 'timeout'
          : 'unreachable',
      );
    }
  }

  private async serviceToken(): Promise<string> {
    const now = Date.now();
    if (this.token && this.token.until > now) return this.token.value;
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: TRACING_HEALTH_PLUGIN_ID,
    });
    this.token = { value: token, until: now + TOKEN_REUSE_MS };
    return token;
  }
}
