import { PIPELINE_METRICS } from '@internal/tracing-model';
import { Registry } from 'prom-client';
import { registerThreadCpu } from './threadCpu';

describe('registerThreadCpu', () => {
  it("counts this thread's CPU as the main thread's, read at each collection", async () => {
    const registry = new Registry();
    registerThreadCpu(registry);
    const read = async () => {
      const values = (
        await registry.getSingleMetric(PIPELINE_METRICS.threadCpuSeconds)!.get()
      ).values;
      expect(values.map(v => v.labels)).toEqual([{ thread: 'main' }]);
      return values[0].value;
    };
    const before = await read();
    let x = 0;
    for (let i = 0; i < 5e6; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    const after = await read();
    expect(after).toBeGreaterThan(before);
    const { user, system } = process.threadCpuUsage();
    expect(after).toBeLessThanOrEqual((user + system) / 1e6);
  });

  it('replaces its counter when registered again on the same registry', () => {
    const registry = new Registry();
    registerThreadCpu(registry);
    expect(() => registerThreadCpu(registry)).not.toThrow();
    expect(registry.getMetricsAsArray()).toHaveLength(1);
  });
});
