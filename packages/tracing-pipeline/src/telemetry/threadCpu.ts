import { PIPELINE_METRICS } from '@internal/tracing-model';
import { isMainThread } from 'node:worker_threads';
import { Counter, Registry } from 'prom-client';

/**
 * Registers `thread_cpu_seconds_total{thread}` for the calling thread on `registry`, read at
 * collection time: "main" on the portal's main thread, "worker" on a pipeline worker (the
 * workers' counts are summed when their metrics are merged).
 */
export function registerThreadCpu(registry: Registry): void {
  registry.removeSingleMetric(PIPELINE_METRICS.threadCpuSeconds);
  const thread = isMainThread ? 'main' : 'worker';
  const counter = new Counter({
    name: PIPELINE_METRICS.threadCpuSeconds,
    help: 'CPU seconds (user + system) of the main thread and of the pipeline worker threads.',
    labelNames: ['thread'],
    registers: [],
    collect() {
      const { user, system } = process.threadCpuUsage();
      this.reset();
      this.inc({ thread }, (user + system) / 1e6);
    },
  });
  registry.registerMetric(counter);
}
