import { Counter, Gauge, Registry } from 'prom-client';
import { PIPELINE_METRICS } from '@internal/plugin-tracing-health-common';
import { Pipeline } from '@internal/tracing-pipeline';
import { PipelineStatusTracker } from './PipelineStatusTracker';

function pipelineWith(droppedByReason: Record<string, number>): Pipeline {
  return {
    config: { memory: { hardLimitBytes: 1000 } },
    memoryUsage: () => ({ spans: 10, bytes: 250 }),
    accounting: { snapshot: () => ({ received: 100, droppedByReason }) },
  } as unknown as Pipeline;
}

describe('PipelineStatusTracker', () => {
  it('counts lost spans, not traces a policy chose to drop or a pipeline without exporters', async () => {
    const registry = new Registry();
    const tracker = new PipelineStatusTracker(
      pipelineWith({ sampling: 60, no_exporter: 20, queue_full: 7, permanent_error: 3 }),
      registry,
    );
    await tracker.sample();
    expect(tracker.status()).toMatchObject({
      memoryUsedBytes: 250,
      memoryLimitBytes: 1000,
      spansReceived: 100,
      spansDropped: 10,
    });
  });

  it('reports export failures within the window and the exporter queues', async () => {
    const registry = new Registry();
    const failed = new Counter({ name: PIPELINE_METRICS.exportFailed, help: 'h', labelNames: ['exporter'], registers: [registry] });
    const size = new Gauge({ name: PIPELINE_METRICS.queueSize, help: 'h', registers: [registry] });
    const capacity = new Gauge({ name: PIPELINE_METRICS.queueCapacity, help: 'h', registers: [registry] });
    let now = 0;
    const tracker = new PipelineStatusTracker(pipelineWith({}), registry, () => now);
    failed.inc({ exporter: 'a' }, 5);
    await tracker.sample();
    now = 60_000;
    failed.inc({ exporter: 'a' }, 4);
    size.set(80);
    capacity.set(100);
    await tracker.sample();
    expect(tracker.status()).toMatchObject({ exportFailuresRecent: 4, queueSize: 80, queueCapacity: 100 });
    now = 10 * 60_000;
    await tracker.sample();
    expect(tracker.status().exportFailuresRecent).toBe(0);
  });
});
