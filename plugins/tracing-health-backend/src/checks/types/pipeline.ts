import {
  CheckType,
  PipelineStatusProvider,
} from '@internal/plugin-tracing-health-node';
import { counterDelta } from '../lib/counterDelta';

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

/**
 * The embedded pipeline's own state: memory against its limit, queue against its capacity,
 * recent export failures and the share of spans dropped since the last run.
 */
export function createPipelineCheckType(
  provider: () => PipelineStatusProvider | undefined,
): CheckType {
  return {
    type: 'pipeline',
    description:
      "the embedded pipeline's memory, queue, export failures and drops",
    runbookId: 'memory-pressure',
    target: 'none',
    failureStatus: 'unknown',
    measurements: {
      memoryRatio: {
        description: 'memory used / memory limit',
        unit: 'ratio',
        threshold: { warning: 0.8, critical: 0.95, direction: 'above' },
        runbookId: 'memory-pressure',
      },
      queueUtilization: {
        description: 'export queue size / capacity',
        unit: 'ratio',
        threshold: { warning: 0.8, critical: 0.95, direction: 'above' },
        runbookId: 'high-queue',
      },
      exportFailures: {
        description: 'export attempts that failed recently',
        threshold: { warning: 0, critical: 10, direction: 'above' },
        runbookId: 'export-failures',
      },
      dropRatio: {
        description: 'share of received spans dropped since the last run',
        unit: 'ratio',
        threshold: { warning: 0.01, critical: 0.05, direction: 'above' },
        runbookId: 'trace-data-loss',
      },
    },
    async run(ctx) {
      const source = provider();
      if (!source) {
        return {
          measurements: [
            ctx.verdict('memoryRatio', 'unknown', {
              message: 'the embedded pipeline is not running in this backend',
              runbookId: 'check-failing',
            }),
          ],
        };
      }
      const s = source.status();
      const memory =
        s.memoryLimitBytes > 0 ? s.memoryUsedBytes / s.memoryLimitBytes : 0;
      const queue = s.queueCapacity > 0 ? s.queueSize / s.queueCapacity : 0;
      const counters = { received: s.spansReceived, dropped: s.spansDropped };
      const delta = counterDelta(counters, ctx.previousState?.counters);
      const drop =
        delta.values.received > 0
          ? delta.values.dropped / delta.values.received
          : 0;
      return {
        measurements: [
          ctx.measure('memoryRatio', memory, {
            message: `memory ${Math.round(
              s.memoryUsedBytes / 1048576,
            )} MiB of ${Math.round(s.memoryLimitBytes / 1048576)} MiB (${pct(
              memory,
            )})`,
          }),
          ctx.measure('queueUtilization', queue, {
            message: `queue ${s.queueSize}/${s.queueCapacity} (${pct(queue)})`,
          }),
          ctx.measure('exportFailures', s.exportFailuresRecent, {
            message: `${s.exportFailuresRecent} recent export failures`,
          }),
          ctx.measure('dropRatio', drop, {
            message: `${delta.values.dropped} of ${
              delta.values.received
            } spans dropped ${
              delta.sinceStart
                ? 'since the pipeline started'
                : 'since the last run'
            }`,
          }),
        ],
        state: { counters },
      };
    },
  };
}
