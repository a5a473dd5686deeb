import express from 'express';
import { Gauge, Registry } from 'prom-client';
import request from 'supertest';
import {
  createCachedExposition,
  createMetricsRouter,
} from './createMetricsRouter';

/**
 * A registry whose one gauge counts how often it is collected, as the database-backed gauges
 * are; `hold()` makes the next collections wait until `release()`.
 */
function countingRegistry() {
  const registry = new Registry();
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const state = {
    collections: 0,
    hold() {
      gate = new Promise(resolve => {
        open = resolve;
      });
    },
    release() {
      open();
      gate = undefined;
    },
  };
  registry.registerMetric(
    new Gauge({
      name: 'tracing_health_test_collections',
      help: 'collections so far',
      registers: [],
      async collect() {
        state.collections += 1;
        this.set(state.collections);
        await gate;
      },
    }),
  );
  return { registry, state };
}

describe('GET /metrics', () => {
  it('answers scrapes within cacheSeconds from one collection, then collects again', async () => {
    const { registry, state } = countingRegistry();
    let clock = 1_000_000;
    const server = express().use(
      createMetricsRouter(registry, { cacheSeconds: 10, now: () => clock }),
    );

    const first = await request(server).get('/metrics');
    expect(first.status).toBe(200);
    expect(first.text).toContain('tracing_health_test_collections 1');
    clock += 9_000;
    const second = await request(server).get('/metrics');
    expect(second.text).toContain('tracing_health_test_collections 1');
    expect(state.collections).toBe(1);

    clock += 2_000;
    const third = await request(server).get('/metrics');
    expect(third.text).toContain('tracing_health_test_collections 2');
    expect(state.collections).toBe(2);
  });

  it('lets scrapes that arrive during a collection share it, even with cacheSeconds 0', async () => {
    const { registry, state } = countingRegistry();
    const exposition = createCachedExposition(registry, { cacheSeconds: 0 });
    state.hold();
    const concurrent = [exposition(), exposition(), exposition()];
    state.release();
    const texts = await Promise.all(concurrent);
    expect(state.collections).toBe(1);
    expect(new Set(texts).size).toBe(1);

    // Nothing in flight and nothing cached: the next scrape collects anew.
    await exposition();
    expect(state.collections).toBe(2);
  });

  it('does not keep a failed collection', async () => {
    const registry = new Registry();
    let fail = true;
    registry.registerMetric(
      new Gauge({
        name: 'tracing_health_test_flaky',
        help: 'fails once',
        registers: [],
        collect() {
          if (fail) throw new Error('database unavailable');
          this.set(1);
        },
      }),
    );
    const exposition = createCachedExposition(registry, { cacheSeconds: 60 });
    await expect(exposition()).rejects.toThrow('database unavailable');
    fail = false;
    await expect(exposition()).resolves.toContain(
      'tracing_health_test_flaky 1',
    );
  });
});
