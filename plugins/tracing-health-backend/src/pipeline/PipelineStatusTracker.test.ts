import { ExportStatus } from '@internal/tracing-pipeline';
import { PipelineStatusTracker } from './PipelineStatusTracker';

function pipelineWith(
  droppedByReason: Record<string, number>,
  exports: ExportStatus = { queueSize: 0, queueCapacity: 0, failedSpans: 0 },
) {
  return {
    config: { memory: { hardLimitBytes: 1000 } },
    memoryUsage: () => ({ spans: 10, bytes: 250 }),
    exportStatus: () => ({ ...exports }),
    accounting: { snapshot: () => ({ received: 100, droppedByReason }) },
    exports,
  } as any;
}

describe('PipelineStatusTracker', () => {
  it('counts lost spans, not traces a policy chose to drop or a pipeline without exporters', () => {
    const tracker = new PipelineStatusTracker(
      pipelineWith({
        sampling: 60,
        no_exporter: 20,
        queue_full: 7,
        permanent_error: 3,
      }),
    );
    tracker.sample();
    expect(tracker.status()).toMatchObject({
      memoryUsedBytes: 250,
      memoryLimitBytes: 1000,
      spansReceived: 100,
      spansDropped: 10,
    });
  });

  it('reports export failures within the window and the exporter queues, from the pipeline status', () => {
    const pipeline = pipelineWith({});
    let now = 0;
    const tracker = new PipelineStatusTracker(pipeline, () => now);
    pipeline.exports.failedSpans = 5;
    tracker.sample();
    now = 60_000;
    pipeline.exports.failedSpans = 9;
    pipeline.exports.queueSize = 80;
    pipeline.exports.queueCapacity = 100;
    tracker.sample();
    expect(tracker.status()).toMatchObject({
      exportFailuresRecent: 4,
      queueSize: 80,
      queueCapacity: 100,
    });
    now = 10 * 60_000;
    tracker.sample();
    expect(tracker.status().exportFailuresRecent).toBe(0);
  });
});
