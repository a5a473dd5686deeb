import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  LoggerService,
  RootLifecycleService,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Seconds a client is told to wait (Retry-After) while the portal shuts down. */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

/**
 * Answers requests with 503 + Retry-After once closed, with one warn line for all of them.
 *
 * Without it, every request that arrives while the plugins shut down (OTLP senders post every
 * few seconds; the pipeline's drain takes up to its shutdownTimeoutMs) reaches Backstage's
 * per-plugin lifecycle middleware, whose ServiceUnavailableError the error handler logs at
 * error level with a full stack: dozens of stacks for an expected, orderly stop (the app's
 * static files too). Backstage's own routes under `/.backstage/` (readiness, liveness) pass
 * through, so readiness keeps saying that the backend is stopping.
 */
export function createShutdownGate(options: {
  logger: LoggerService;
  retryAfterSeconds?: number;
}) {
  const retryAfter = String(
    options.retryAfterSeconds ?? SHUTDOWN_RETRY_AFTER_SECONDS,
  );
  let closed = false;
  let refused = 0;
  return {
    close() {
      closed = true;
    },
    get refused() {
      return refused;
    },
    middleware(
      req: IncomingMessage,
      res: ServerResponse,
      next: () => void,
    ): void {
      if (!closed || (req.url ?? '').startsWith('/.backstage/')) {
        next();
        return;
      }
      refused++;
      if (refused === 1) {
        options.logger.warn(
          `shutting down: requests are answered 503 with Retry-After: ${retryAfter} until the server stops (logged once)`,
        );
      }
      res.statusCode = 503;
      res.setHeader('Retry-After', retryAfter);
      res.setHeader('Connection', 'close');
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          error: {
            name: 'ServiceUnavailableError',
            message: 'The portal is shutting down; retry later',
          },
          response: { statusCode: 503 },
        }),
      );
    },
  };
}

/** backend.lifecycle.serverShutdownDelay in milliseconds (0 when unset). */
function serverShutdownDelayMs(config: Config): number {
  const key = 'backend.lifecycle.serverShutdownDelay';
  if (!config.has(key)) return 0;
  const d = readDurationFromConfig(config, { key });
  return (
    ((((d.days ?? 0) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60 +
      (d.seconds ?? 0)) *
      1000 +
    (d.milliseconds ?? 0)
  );
}

/**
 * The root HTTP router with Backstage's defaults behind a shutdown gate: when the backend
 * starts to stop (after `backend.lifecycle.serverShutdownDelay`, during which it still serves
 * while load balancers notice the readiness route fail), requests get a quiet 503.
 */
export const quietShutdownRootHttpRouter = rootHttpRouterServiceFactory({
  configure({ app, lifecycle, logger, config, applyDefaults }) {
    const gate = createShutdownGate({ logger });
    const delayMs = serverShutdownDelayMs(config);
    // The root router is built with the root lifecycle, which has the before-shutdown phase.
    (lifecycle as RootLifecycleService).addBeforeShutdownHook(async () => {
      if (delayMs > 0) await new Promise(r => setTimeout(r, delayMs));
      gate.close();
    });
    app.use(gate.middleware);
    applyDefaults();
  },
});
