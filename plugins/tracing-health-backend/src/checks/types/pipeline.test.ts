import { PipelineStatus } from '@internal/plugin-tracing-health-node';
import { createCheckHarness } from '../__testUtils__/checkHarness';
import { createPipelineCheckType } from './pipeline';

const MiB = 1024 * 1024;

describe('pipeline check', () => {
  let status: PipelineStatus;
  let connected = true;
  const type = createPipelineCheckType(() =>
    connected ? { status: () => status } : undefined,
  );
  let harness: Awaited<ReturnType<typeof createCheckHarness>>;

  beforeEach(async () => {
    connected = true;
    status = {
      memoryUsedBytes: 100 * MiB,
      memoryLimitBytes: 512 * MiB,
      queueSize: 10,
      queueCapacity: 1000,
      exportFailuresRecent: 0,
      spansReceived: 1000,
      spansDropped: 0,
    };
    harness = await createCheckHarness([type]);
  });
  afterEach(() => harness.close());
  const check = { id: 'pipeline', type: 'pipeline' };

  it('is ok with memory, queue, exports and drops in bounds', async () => {
    const result = await harness.run(check);
    expect(result.status).toBe('ok');
    expect(result.measurements.map(m => m.name)).toEqual([
      'memoryRatio',
      'queueUtilization',
      'exportFailures',
      'dropRatio',
    ]);
  });

  it.each([
    [{ memoryUsedBytes: 450 * MiB }, 'warning', 'memory-pressure'],
    [{ memoryUsedBytes: 500 * MiB }, 'critical', 'memory-pressure'],
    [{ queueSize: 990 }, 'critical', 'high-queue'],
    [{ exportFailuresRecent: 2 }, 'warning', 'export-failures'],
  ])('judges %o as %s with runbook %s', async (patch, expected, runbookId) => {
    Object.assign(status, patch);
    const result = await harness.run(check);
    expect(result).toMatchObject({ status: expected, runbookId });
  });

  it('computes the drop ratio since the previous run', async () => {
    status.spansDropped = 100; // 10% over the pipeline's life
    expect((await harness.run(check)).status).toBe('critical');
    status.spansReceived = 11_000;
    status.spansDropped = 100; // nothing dropped since
    const second = await harness.run(check);
    expect(second.measurements.find(m => m.name === 'dropRatio')).toMatchObject(
      {
        status: 'ok',
        value: 0,
      },
    );
    status.spansReceived = 12_000;
    status.spansDropped = 130; // 3% of the last 1000
    const third = await harness.run(check);
    expect(third).toMatchObject({
      status: 'warning',
      runbookId: 'trace-data-loss',
    });
    expect(third.value).toBeCloseTo(0.03);
  });

  it('is unknown when no pipeline is connected', async () => {
    connected = false;
    const result = await harness.run(check);
    expect(result).toMatchObject({
      status: 'unknown',
      runbookId: 'check-failing',
    });
  });
});
