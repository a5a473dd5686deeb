import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CheckMeasurement,
  CheckResult,
  CheckStatus,
  RunbookId,
} from '@internal/plugin-tracing-health-common';
import {
  CheckOutcome,
  CheckRunContext,
  CheckType,
} from '@internal/plugin-tracing-health-node';
import { CheckDefinition, displayTarget } from './config/readChecksConfig';
import { ConcurrencyLimiter } from './lib/ConcurrencyLimiter';
import { describeError } from './lib/httpProbe';
import {
  checkRedactor,
  redactError,
  redactingLogger,
  redactStrings,
} from './lib/redact';
import { judge, worstMeasurement } from './lib/thresholds';
import { CheckResultStore } from './store/CheckResultStore';

class CheckTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000}s`);
    this.name = 'CheckTimeoutError';
  }
}

/** Resolves never; rejects with the signal's reason when it aborts. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), {
      once: true,
    });
  });
}

/**
 * Runs one check: waits for a slot (bounded concurrency), aborts the run at its timeout even
 * if the check type ignores the signal, judges the measurements, stores the result and logs
 * status transitions. Whatever a check type produces (result, measurements, state, log lines,
 * errors) passes through `redactSecrets` with that check's secrets here, the one place results
 * are made, whatever the type already did.
 */
export class CheckRunner {
  constructor(
    private readonly deps: {
      types: ReadonlyMap<string, CheckType<any>>;
      store: CheckResultStore;
      limiter: ConcurrencyLimiter;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  /** Redacts URL credentials, sensitive parameters and this check's literal secrets. */
  private redactor(check: CheckDefinition): (text: string) => string {
    return checkRedactor(check);
  }

  /**
   * Runs `check` once. `signal` is the scheduler's: it aborts when the backend stops (then
   * nothing is stored) or when the run could not even start within the check's interval.
   */
  async run(
    check: CheckDefinition,
    signal: AbortSignal,
  ): Promise<CheckResult | undefined> {
    let started = false;
    try {
      return await this.deps.limiter.run(() => {
        started = true;
        return this.execute(check, signal);
      }, signal);
    } catch (error) {
      if (started || !signal.aborted) {
        throw redactError(error, this.redactor(check));
      }
      return this.store(
        check,
        this.failure(check, 'unknown', 'check-failing', {
          message:
            'could not start within its interval: more checks were due than checkScheduler.concurrency allows',
        }),
        this.now(),
        0,
      ).catch(() => undefined);
    }
  }

  private async execute(check: CheckDefinition, schedulerSignal: AbortSignal) {
    const type = this.deps.types.get(check.type)!;
    const previous = await this.deps.store.latest(check.id);
    const startedAt = this.now();
    const started = performance.now();

    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new CheckTimeoutError(check.timeoutMs)),
      check.timeoutMs,
    );
    const onShutdown = () => controller.abort(schedulerSignal.reason);
    schedulerSignal.addEventListener('abort', onShutdown, { once: true });

    let outcome: CheckOutcome;
    try {
      outcome = await Promise.race([
        type.run(this.context(check, type, controller.signal, previous)),
        rejectOnAbort(controller.signal),
      ]);
    } catch (error) {
      if (
        schedulerSignal.aborted &&
        !(controller.signal.reason instanceof CheckTimeoutError)
      ) {
        throw error;
      }
      const status = type.failureStatus ?? 'critical';
      const reason =
        controller.signal.reason instanceof CheckTimeoutError
          ? controller.signal.reason.message
          : describeError(error);
      outcome = this.failure(
        check,
        status,
        status === 'critical' ? type.runbookId : 'check-failing',
        {
          message: `${
            check.target ? `${displayTarget(check.target)}: ` : ''
          }${reason}`,
        },
      );
      outcome.state = previous?.state;
    } finally {
      clearTimeout(timer);
      schedulerSignal.removeEventListener('abort', onShutdown);
    }
    return this.store(check, outcome, startedAt, performance.now() - started);
  }

  private failure(
    check: CheckDefinition,
    status: CheckStatus,
    runbookId: RunbookId,
    details: { message: string },
  ): CheckOutcome {
    return {
      measurements: [
        {
          name: 'run',
          status,
          message: details.message,
          runbookId: check.runbookId ?? runbookId,
        },
      ],
    };
  }

  private async store(
    check: CheckDefinition,
    outcome: CheckOutcome,
    startedAt: Date,
    durationMs: number,
  ): Promise<CheckResult> {
    const redact = this.redactor(check);
    const measurements = redactStrings(outcome.measurements, redact);
    const worst = worstMeasurement(measurements);
    const result: CheckResult = worst
      ? {
          checkId: check.id,
          checkType: check.type,
          status: worst.status,
          message:
            worst.subject && !worst.message.includes(worst.subject)
              ? `${worst.subject}: ${worst.message}`
              : worst.message,
          value: worst.value,
          unit: worst.unit,
          threshold: worst.threshold,
          runbookId: worst.runbookId,
          service: check.service,
          measurements,
          startedAt: startedAt.toISOString(),
          durationMs,
        }
      : {
          checkId: check.id,
          checkType: check.type,
          status: 'unknown',
          message: 'the check measured nothing',
          runbookId: check.runbookId ?? 'check-failing',
          service: check.service,
          measurements: [],
          startedAt: startedAt.toISOString(),
          durationMs,
        };
    const transition = await this.deps.store.record(
      result,
      redactStrings(outcome.state, redact),
    );
    if (transition) {
      const line = redact(
        `Check ${check.id} ${transition.from ?? 'new'} -> ${transition.to}: ${
          result.message
        } (runbook ${result.runbookId})`,
      );
      if (transition.to === 'ok') this.deps.logger.info(line);
      else this.deps.logger.warn(line);
    }
    return result;
  }

  private context(
    check: CheckDefinition,
    type: CheckType<any>,
    signal: AbortSignal,
    previous: Awaited<ReturnType<CheckResultStore['latest']>>,
  ): CheckRunContext<any> {
    const runbookFor = (name: string, explicit?: RunbookId): RunbookId =>
      check.runbookId ??
      explicit ??
      type.measurements[name]?.runbookId ??
      type.runbookId;
    return {
      checkId: check.id,
      target: check.target,
      options: check.options,
      headers: check.headers,
      service: check.service,
      signal,
      logger: redactingLogger(
        this.deps.logger.child({ check: check.id }),
        this.redactor(check),
      ),
      previousState: previous?.state,
      previousRunAt: previous ? new Date(previous.result.startedAt) : undefined,
      now: () => this.now(),
      measure: (name, value, details): CheckMeasurement => {
        const verdict = judge(value, check.thresholds[name]);
        return {
          name,
          subject: details.subject,
          status: verdict.status,
          message: details.message,
          value,
          unit: type.measurements[name]?.unit,
          threshold: verdict.threshold,
          runbookId: runbookFor(name),
        };
      },
      verdict: (name, status, details): CheckMeasurement => ({
        name,
        subject: details.subject,
        status,
        message: details.message,
        value: details.value,
        runbookId: runbookFor(name, details.runbookId),
      }),
    };
  }
}
