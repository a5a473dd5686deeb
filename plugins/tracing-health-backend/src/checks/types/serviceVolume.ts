import {
  CheckMeasurement,
  TracedServiceInfo,
} from '@internal/plugin-tracing-health-common';
import {
  CheckType,
  ServiceVolumeProvider,
} from '@internal/plugin-tracing-health-node';
import { z } from 'zod';

const optionsSchema = z
  .object({
    /** Minutes without traces before a service counts as stopped (default: silentAfterMinutes). */
    silentAfterMinutes: z.number().positive().optional(),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

function minutesAgo(now: Date, then: Date): string {
  return `${Math.round((now.getTime() - then.getTime()) / 60000)} min ago`;
}

/**
 * Opted-in services (catalog) whose traces stopped or whose traffic fell below
 * `thresholds.requestsPerSecond` (set a `warning`/`critical` floor to enable it). Traffic is the
 * figure the fleet table shows: requests received (entry spans), or traces started by a service
 * that receives none. The check's `service` narrows it to one.
 */
export function createServiceVolumeCheckType(deps: {
  provider: () => ServiceVolumeProvider | undefined;
  optedInServices: () => Promise<TracedServiceInfo[]>;
  defaultSilentAfterMinutes: number;
}): CheckType<Options> {
  return {
    type: 'service-volume',
    description: 'opted-in services whose traces stopped or fell below a floor',
    runbookId: 'service-silent',
    target: 'none',
    failureStatus: 'unknown',
    measurements: {
      seen: {
        description:
          'whether the service sent traces within silentAfterMinutes',
        runbookId: 'service-silent',
      },
      requestsPerSecond: {
        description:
          'recent requests per second the service received (or traces it started, when it receives none)',
        unit: 'requests/s',
        threshold: { direction: 'below' },
        runbookId: 'trace-data-loss',
      },
    },
    parseOptions: raw => optionsSchema.parse(raw),
    async run(ctx) {
      const source = deps.provider();
      if (!source) {
        return {
          measurements: [
            ctx.verdict('seen', 'unknown', {
              message:
                'no trace volume source is connected to the health checks',
              runbookId: 'check-failing',
            }),
          ],
        };
      }
      const silentMs =
        (ctx.options.silentAfterMinutes ?? deps.defaultSilentAfterMinutes) *
        60_000;
      const services = (await deps.optedInServices()).filter(
        s => !ctx.service || s.settings.serviceName === ctx.service,
      );
      if (services.length === 0) {
        return {
          measurements: [
            ctx.verdict('seen', 'ok', {
              message: 'no opted-in services to watch',
            }),
          ],
        };
      }
      const now = ctx.now();
      const measurements: CheckMeasurement[] = services.map(service => {
        const name = service.settings.serviceName;
        const lastSeen = source.lastSeen(name);
        if (!lastSeen) {
          return ctx.verdict('seen', 'warning', {
            subject: name,
            message: `${name} opted in but no traces have arrived`,
            runbookId: 'no-traces',
          });
        }
        if (now.getTime() - lastSeen.getTime() > silentMs) {
          return ctx.verdict('seen', 'critical', {
            subject: name,
            message: `${name} stopped sending traces; last one ${minutesAgo(
              now,
              lastSeen,
            )}`,
          });
        }
        const rate = source.requestsPerSecond
          ? source.requestsPerSecond(name)
          : source.tracesPerSecond(name) ?? 0;
        if (rate === undefined) {
          // Spans arrived, but no rollup has measured them yet: not 0/s.
          return ctx.verdict('seen', 'ok', {
            subject: name,
            message: `${name}: spans arriving, last ${minutesAgo(
              now,
              lastSeen,
            )}; its rate is measured within a minute`,
          });
        }
        return ctx.measure('requestsPerSecond', rate, {
          subject: name,
          message: `${name}: ${rate.toFixed(2)} requests/s, last ${minutesAgo(
            now,
            lastSeen,
          )}`,
        });
      });
      return { measurements };
    },
  };
}
