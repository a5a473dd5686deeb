import {
  BackstageCredentials,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { isError, NotFoundError } from '@backstage/errors';
import {
  CheckResult,
  CheckSummary,
  MonthlyReport,
  TracedServiceInfo,
} from '@internal/plugin-tracing-health-common';
import {
  CheckType,
  PipelineStatusProvider,
  ServiceVolumeProvider,
} from '@internal/plugin-tracing-health-node';
import { Knex } from 'knex';
import { Registry } from 'prom-client';
import { CheckRunner } from './CheckRunner';
import {
  CheckDefinition,
  ChecksConfig,
  displayTarget,
  readChecksConfig,
} from './config/readChecksConfig';
import { ConcurrencyLimiter } from './lib/ConcurrencyLimiter';
import { OnDemandRuns } from './lib/OnDemandRuns';
import { checkRedactor, redactSecrets, redactStrings } from './lib/redact';
import { registerCheckMetrics } from './registerCheckMetrics';
import { buildMonthlyReport, monthBounds } from './report/buildMonthlyReport';
import { checkTaskId, scheduleChecks } from './scheduleChecks';
import { CheckResultStore } from './store/CheckResultStore';
import { builtinCheckTypes } from './types/builtinCheckTypes';

/** Points of history per check that `GET /checks` returns for the sparkline. */
const RECENT_POINTS = 30;

/** The health checks of this backend: configured checks, their results and the report. */
export class ChecksService {
  private readonly onDemand: OnDemandRuns;

  constructor(
    private readonly deps: {
      config: ChecksConfig;
      types: ReadonlyMap<string, CheckType<any>>;
      store: CheckResultStore;
      scheduler: SchedulerService;
      listServices: (
        credentials: BackstageCredentials,
      ) => Promise<TracedServiceInfo[]>;
      serviceVolume?: ServiceVolumeProvider;
      now: () => Date;
    },
  ) {
    this.onDemand = new OnDemandRuns(deps.config.runNowMinIntervalMs, () =>
      deps.now().getTime(),
    );
  }

  get checks(): CheckDefinition[] {
    return this.deps.config.checks;
  }

  get types(): ReadonlyMap<string, CheckType<any>> {
    return this.deps.types;
  }

  private definition(id: string): CheckDefinition {
    const check = this.checks.find(c => c.id === id);
    if (!check) throw new NotFoundError(`No check "${id}"`);
    return check;
  }

  /**
   * The runner redacts what it stores; reads redact again, for rows stored by earlier versions
   * (kept up to historyRetentionDays, transitions up to transitionRetentionDays).
   */
  private redactorFor(id: string): (text: string) => string {
    const check = this.checks.find(c => c.id === id);
    return check ? checkRedactor(check) : text => redactSecrets(text);
  }

  async list(): Promise<CheckSummary[]> {
    const [latest, recent] = await Promise.all([
      this.deps.store.latestAll(),
      this.deps.store.recent(RECENT_POINTS),
    ]);
    return this.checks.map(check => {
      const last = latest.get(check.id);
      const current = last?.result.checkType === check.type ? last : undefined;
      return {
        id: check.id,
        type: check.type,
        title: check.title,
        target: displayTarget(check.target),
        service: check.service,
        intervalSeconds: check.intervalMs / 1000,
        timeoutSeconds: check.timeoutMs / 1000,
        latest:
          current && redactStrings(current.result, this.redactorFor(check.id)),
        statusSince: current?.statusSince?.toISOString(),
        recent: recent.get(check.id) ?? [],
      };
    });
  }

  async get(id: string): Promise<CheckSummary> {
    this.definition(id);
    return (await this.list()).find(c => c.id === id)!;
  }

  async history(
    id: string,
    options: { limit: number; before?: Date },
  ): Promise<CheckResult[]> {
    this.definition(id);
    return redactStrings(
      await this.deps.store.history(id, options),
      this.redactorFor(id),
    );
  }

  /**
   * Asks the scheduler to run the check as soon as possible, on whichever replica claims it.
   * A request while a run is in flight joins it (`joined`); otherwise one check runs on demand at
   * most once per `checkScheduler.runNowMinIntervalSeconds` on this replica (RunThrottledError).
   */
  async triggerRun(id: string): Promise<{ joined: boolean }> {
    this.definition(id);
    let alreadyRunning = false;
    const { joined } = await this.onDemand.run(id, async () => {
      try {
        await this.deps.scheduler.triggerTask(checkTaskId(id));
      } catch (error) {
        // The scheduler refuses to trigger a task that is running: that run is the answer.
        if (!isError(error) || error.name !== 'ConflictError') throw error;
        alreadyRunning = true;
      }
    });
    return { joined: joined || alreadyRunning };
  }

  async report(
    month: string,
    credentials: BackstageCredentials,
  ): Promise<MonthlyReport> {
    const { start, end } = monthBounds(month);
    const [transitions, services] = await Promise.all([
      this.deps.store.transitions(start, end),
      this.deps.listServices(credentials),
    ]);
    return buildMonthlyReport({
      month,
      now: this.deps.now(),
      checks: this.checks,
      transitions: transitions.map(t => ({
        ...t,
        message: this.redactorFor(t.checkId)(t.message),
      })),
      services,
      volume: this.deps.serviceVolume,
      silentAfterMinutes: this.deps.config.silentAfterMinutes,
    });
  }
}

/**
 * Validates the check config against the built-in and added check types, registers the check
 * gauges, and schedules every check. Throws at start-up on invalid config, naming each key.
 */
export async function createChecksService(options: {
  config: Config;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  registry: Registry;
  /** Catalog components with their tracing settings. */
  listServices: (
    credentials: BackstageCredentials,
  ) => Promise<TracedServiceInfo[]>;
  /** Credentials the scheduled checks read the catalog with. */
  ownCredentials: () => Promise<BackstageCredentials>;
  /** Types added by modules through `tracingHealthChecksExtensionPoint`. */
  addedCheckTypes?: CheckType<any>[];
  pipelineStatus?: PipelineStatusProvider;
  serviceVolume?: ServiceVolumeProvider;
  now?: () => Date;
}): Promise<ChecksService> {
  const now = options.now ?? (() => new Date());
  const silentAfterMinutes =
    options.config.getOptionalNumber('tracingHealth.silentAfterMinutes') ?? 10;
  const types = new Map<string, CheckType<any>>();
  const builtin = builtinCheckTypes({
    pipelineStatus: () => options.pipelineStatus,
    serviceVolume: () => options.serviceVolume,
    optedInServices: async () =>
      (await options.listServices(await options.ownCredentials())).filter(
        s => s.settings.optedIn,
      ),
    silentAfterMinutes,
  });
  for (const type of [...builtin, ...(options.addedCheckTypes ?? [])]) {
    if (types.has(type.type)) {
      throw new Error(`Check type "${type.type}" is registered twice`);
    }
    types.set(type.type, type);
  }

  const config = readChecksConfig(options.config, types);
  const store = new CheckResultStore(options.knex);
  const runner = new CheckRunner({
    types,
    store,
    limiter: new ConcurrencyLimiter(config.concurrency),
    logger: options.logger,
    now,
  });
  registerCheckMetrics(options.registry, { store, checks: config.checks });
  await scheduleChecks({
    scheduler: options.scheduler,
    checks: config.checks,
    runner,
    store,
    retention: config,
    logger: options.logger,
    now,
  });
  options.logger.info(
    `Scheduled ${config.checks.length} health checks (concurrency ${config.concurrency})`,
  );
  return new ChecksService({
    config,
    types,
    store,
    scheduler: options.scheduler,
    listServices: options.listServices,
    serviceVolume: options.serviceVolume,
    now,
  });
}
