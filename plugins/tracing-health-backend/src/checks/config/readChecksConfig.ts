import {
  Config,
  ConfigReader,
  readDurationFromConfig,
} from '@backstage/config';
import { RUNBOOK_IDS, RunbookId } from '@internal/plugin-tracing-health-common';
import { CheckType, Threshold } from '@internal/plugin-tracing-health-node';
import { z, ZodError } from 'zod';
import { redactUrl } from '../lib/redact';

/** One configured check, validated, with its thresholds merged over the type's defaults. */
export interface CheckDefinition {
  id: string;
  type: string;
  title: string;
  target?: string;
  service?: string;
  intervalMs: number;
  timeoutMs: number;
  thresholds: Record<string, Threshold>;
  /** Overrides the type's runbooks for every measurement of this check. */
  runbookId?: RunbookId;
  headers?: Record<string, string>;
  options: unknown;
}

export interface ChecksConfig {
  /** Checks run at once on one replica. */
  concurrency: number;
  historyRetentionDays: number;
  transitionRetentionDays: number;
  /** The default "stopped" window of the service-volume check. */
  silentAfterMinutes: number;
  /** Least time between two on-demand runs (`POST /checks/:id/run`) of one check. */
  runNowMinIntervalMs: number;
  checks: CheckDefinition[];
}

const DEFAULTS = {
  concurrency: 16,
  historyRetentionDays: 30,
  transitionRetentionDays: 400,
  silentAfterMinutes: 10,
  runNowMinIntervalSeconds: 10,
  interval: { minutes: 1 },
  timeout: { seconds: 10 },
};

type HumanDuration = ReturnType<typeof readDurationFromConfig>;

const MS_PER: Record<keyof HumanDuration, number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
};

function toMilliseconds(duration: HumanDuration): number {
  return Object.entries(duration).reduce(
    (sum, [unit, n]) => sum + MS_PER[unit as keyof HumanDuration] * (n ?? 0),
    0,
  );
}

const durationSchema = z
  .union([z.string(), z.record(z.number())])
  .transform((raw, ctx) => {
    try {
      const ms = toMilliseconds(
        readDurationFromConfig(new ConfigReader({ d: raw }), { key: 'd' }),
      );
      if (ms > 0) return ms;
      ctx.addIssue({ code: 'custom', message: 'must be longer than zero' });
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a duration like "30s", "5m", "PT1M" or { minutes: 1 } (${
          (error as Error).message
        })`,
      });
    }
    return z.NEVER;
  });

const thresholdSchema = z
  .object({
    warning: z.number().optional(),
    critical: z.number().optional(),
    direction: z.enum(['above', 'below']).optional(),
  })
  .strict();

const checkSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,99}$/,
        'must be lowercase letters, digits, ".", "_" or "-" (at most 100)',
      ),
    type: z.string().min(1),
    title: z.string().optional(),
    target: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    interval: durationSchema.optional(),
    timeout: durationSchema.optional(),
    thresholds: z.record(thresholdSchema).optional(),
    runbook: z
      .enum(RUNBOOK_IDS, {
        errorMap: () => ({
          message: `must be one of ${RUNBOOK_IDS.join(', ')}`,
        }),
      })
      .optional(),
    headers: z.record(z.string()).optional(),
    options: z.record(z.unknown()).optional(),
  })
  .strict();

const rootSchema = z
  .object({
    checkScheduler: z
      .object({
        concurrency: z.number().int().min(1).max(1000).optional(),
        historyRetentionDays: z.number().min(1).optional(),
        transitionRetentionDays: z.number().min(1).optional(),
        runNowMinIntervalSeconds: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
    silentAfterMinutes: z.number().positive().optional(),
    checks: z.array(z.unknown()).optional(),
  })
  .passthrough();

function formatPath(path: Array<string | number>): string {
  return path.reduce<string>(
    (key, part) =>
      typeof part === 'number' ? `${key}[${part}]` : `${key}.${part}`,
    'tracingHealth',
  );
}

function zodMessages(error: ZodError, prefix: Array<string | number>) {
  return error.issues.map(
    issue => `${formatPath([...prefix, ...issue.path])}: ${issue.message}`,
  );
}

/** A target without credentials or sensitive query parameters, to show and log. */
export function displayTarget(target: string | undefined): string | undefined {
  return target ? redactUrl(target) : undefined;
}

/**
 * Reads and validates `tracingHealth.checks` and `tracingHealth.checkScheduler` against the
 * registered check types. Throws one error listing every problem, each named by its key.
 */
export function readChecksConfig(
  config: Config,
  types: ReadonlyMap<string, CheckType<any>>,
): ChecksConfig {
  const root = rootSchema.safeParse(config.getOptional('tracingHealth') ?? {});
  if (!root.success) {
    throw new Error(
      `Invalid tracing-health check config:\n${zodMessages(root.error, []).join(
        '\n',
      )}`,
    );
  }
  const errors: string[] = [];
  const checks: CheckDefinition[] = [];
  const seen = new Set<string>();

  (root.data.checks ?? []).forEach((raw, index) => {
    const at = ['checks', index];
    const parsed = checkSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...zodMessages(parsed.error, at));
      return;
    }
    const check = parsed.data;
    const key = (...rest: Array<string | number>) =>
      formatPath([...at, ...rest]);
    if (seen.has(check.id)) {
      errors.push(`${key('id')}: "${check.id}" is used by another check`);
    }
    seen.add(check.id);

    const type = types.get(check.type);
    if (!type) {
      errors.push(
        `${key('type')}: unknown check type "${check.type}"; known: ${[
          ...types.keys(),
        ].join(', ')}`,
      );
      return;
    }
    if (type.target === 'required' && !check.target) {
      errors.push(`${key('target')}: required for type ${type.type}`);
    }
    if (type.target === 'none' && check.target) {
      errors.push(`${key('target')}: type ${type.type} takes no target`);
    }
    let target = check.target;
    if (target?.startsWith('/')) {
      // A path is this portal's own backend, wherever it listens.
      const baseUrl = config.getOptionalString('backend.baseUrl');
      if (baseUrl) target = `${baseUrl.replace(/\/+$/, '')}${target}`;
      else
        errors.push(
          `${key('target')}: a path needs backend.baseUrl to resolve against`,
        );
    }

    const thresholds: Record<string, Threshold> = {};
    for (const [name, spec] of Object.entries(type.measurements)) {
      if (spec.threshold) thresholds[name] = { ...spec.threshold };
    }
    for (const [name, override] of Object.entries(check.thresholds ?? {})) {
      const spec = type.measurements[name];
      if (!spec) {
        errors.push(
          `${key('thresholds', name)}: type ${
            type.type
          } measures no "${name}"; known: ${Object.keys(type.measurements).join(
            ', ',
          )}`,
        );
        continue;
      }
      thresholds[name] = {
        direction: override.direction ?? spec.threshold?.direction ?? 'above',
        warning: override.warning ?? thresholds[name]?.warning,
        critical: override.critical ?? thresholds[name]?.critical,
      };
    }

    let options: unknown = check.options;
    if (type.parseOptions) {
      try {
        options = type.parseOptions(check.options ?? {});
      } catch (error) {
        if (error instanceof ZodError) {
          errors.push(...zodMessages(error, [...at, 'options']));
        } else {
          errors.push(`${key('options')}: ${(error as Error).message}`);
        }
      }
    }

    const intervalMs = check.interval ?? toMilliseconds(DEFAULTS.interval);
    const timeoutMs = check.timeout ?? toMilliseconds(DEFAULTS.timeout);
    if (timeoutMs > intervalMs) {
      errors.push(
        `${key('timeout')}: must not be longer than the interval (${
          intervalMs / 1000
        }s)`,
      );
    }

    checks.push({
      id: check.id,
      type: check.type,
      title: check.title ?? check.id,
      target,
      service: check.service,
      intervalMs,
      timeoutMs,
      thresholds,
      runbookId: check.runbook,
      headers: check.headers,
      options,
    });
  });

  if (errors.length > 0) {
    throw new Error(
      `Invalid tracing-health check config:\n${errors.join('\n')}`,
    );
  }
  return {
    concurrency: root.data.checkScheduler?.concurrency ?? DEFAULTS.concurrency,
    historyRetentionDays:
      root.data.checkScheduler?.historyRetentionDays ??
      DEFAULTS.historyRetentionDays,
    transitionRetentionDays:
      root.data.checkScheduler?.transitionRetentionDays ??
      DEFAULTS.transitionRetentionDays,
    silentAfterMinutes:
      root.data.silentAfterMinutes ?? DEFAULTS.silentAfterMinutes,
    runNowMinIntervalMs:
      (root.data.checkScheduler?.runNowMinIntervalSeconds ??
        DEFAULTS.runNowMinIntervalSeconds) * 1000,
    checks,
  };
}
