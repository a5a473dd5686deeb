import { createMetricsRegistry } from './createMetricsRegistry';

describe('createMetricsRegistry', () => {
  it('names process and Node.js metrics with the plugin prefix once', async () => {
    const names = (await createMetricsRegistry().getMetricsAsJSON()).map(
      m => m.name,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'tracing_health_process_cpu_seconds_total',
        'tracing_health_process_resident_memory_bytes',
        'tracing_health_nodejs_eventloop_lag_seconds',
      ]),
    );
    expect(names.filter(n => !n.startsWith('tracing_health_'))).toEqual([]);
    expect(
      names.filter(n => /tracing_health_process_(process|nodejs)_/.test(n)),
    ).toEqual([]);
  });
});
