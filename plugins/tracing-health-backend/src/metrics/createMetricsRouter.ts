import Router from 'express-promise-router';
import { Registry } from 'prom-client';

/**
 * The registry's exposition, collected at most once per `cacheSeconds`; callers that arrive while
 * a collection runs share it instead of starting another. A failed collection is not kept.
 */
export function createCachedExposition(
  registry: Registry,
  options: { cacheSeconds?: number; now?: () => number } = {},
): () => Promise<string> {
  const cacheMs = (options.cacheSeconds ?? 0) * 1000;
  const now = options.now ?? Date.now;
  let cached: { text: Promise<string>; expiresAt: number } | undefined;

  return () => {
    if (cached && now() < cached.expiresAt) return cached.text;
    const entry = {
      text: registry.metrics(),
      // Until it settles, the collection in flight is shared whatever cacheSeconds says.
      expiresAt: Number.POSITIVE_INFINITY,
    };
    cached = entry;
    entry.text.then(
      () => {
        entry.expiresAt = now() + cacheMs;
      },
      () => {
        if (cached === entry) cached = undefined;
      },
    );
    return entry.text;
  };
}

/**
 * `GET /metrics` in the Prometheus text exposition format. Collecting runs database queries
 * (coverage, checks), so one collection answers every scrape for `cacheSeconds`.
 */
export function createMetricsRouter(
  registry: Registry,
  options: { cacheSeconds?: number; now?: () => number } = {},
) {
  const exposition = createCachedExposition(registry, options);
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await exposition();
    res.setHeader('Content-Type', registry.contentType);
    res.send(text);
  });
  return router;
}
