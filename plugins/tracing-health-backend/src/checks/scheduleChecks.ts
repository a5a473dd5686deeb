import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { CheckDefinition } from './config/readChecksConfig';
import { CheckRunner } from './CheckRunner';
import { CheckResultStore } from './store/CheckResultStore';

/** The scheduler task id of a check. */
export function checkTaskId(checkId: string): string {
  return `tracing-health-check:${checkId}`;
}

export const RETENTION_TASK_ID = 'tracing-health-check-retention';

/**
 * Schedules every check as a global task (one run per interval across all replicas sharing the
 * database) and a daily history clean-up. The task's timeout is the interval: a run still
 * waiting for a concurrency slot by then is recorded as not started; the check's own `timeout`
 * applies from the moment it starts.
 */
export async function scheduleChecks(options: {
  scheduler: SchedulerService;
  checks: CheckDefinition[];
  runner: CheckRunner;
  store: CheckResultStore;
  retention: { historyRetentionDays: number; transitionRetentionDays: number };
  logger: LoggerService;
  now?: () => Date;
}): Promise<void> {
  const { scheduler, runner } = options;
  for (const check of options.checks) {
    await scheduler.scheduleTask({
      id: checkTaskId(check.id),
      scope: 'global',
      frequency: { milliseconds: check.intervalMs },
      timeout: { milliseconds: check.intervalMs },
      fn: async signal => {
        await runner.run(check, signal);
      },
    });
  }
  await scheduler.scheduleTask({
    id: RETENTION_TASK_ID,
    scope: 'global',
    frequency: { hours: 24 },
    timeout: { minutes: 15 },
    initialDelay: { minutes: 5 },
    fn: async () => {
      const now = options.now?.() ?? new Date();
      const day = 86_400_000;
      const pruned = await options.store.prune({
        runsBefore: new Date(
          now.getTime() - options.retention.historyRetentionDays * day,
        ),
        transitionsBefore: new Date(
          now.getTime() - options.retention.transitionRetentionDays * day,
        ),
      });
      options.logger.info(
        `Pruned ${pruned.runs} check runs and ${pruned.transitions} transitions past retention`,
      );
    },
  });
}
