import { CheckMeasurement } from '@internal/plugin-tracing-health-common';
import {
  CheckRunContext,
  CheckType,
} from '@internal/plugin-tracing-health-node';
import { z } from 'zod';
import {
  describeError,
  describeProbeFailure,
  httpProbe,
} from '../lib/httpProbe';
import { redactUrl } from '../lib/redact';
import {
  parsePrometheusText,
  PrometheusSample,
  sumCounter,
} from '../lib/prometheusText';
import { counterDelta } from '../lib/counterDelta';

const optionsSchema = z
  .object({
    /** The Collector's own metrics, e.g. http://collector:8888/metrics. */
    metricsUrl: z.string().url().optional(),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

async function checkHealth(
  ctx: CheckRunContext<Options>,
): Promise<CheckMeasurement> {
  try {
    const res = await httpProbe(ctx.target!, {
      signal: ctx.signal,
      headers: ctx.headers,
    });
    let said = res.body.trim().slice(0, 200);
    try {
      said = JSON.parse(res.body).status ?? said;
    } catch {
      // health_check answers JSON; an unexpected body is quoted as-is
    }
    return ctx.verdict('health', res.status === 200 ? 'ok' : 'critical', {
      message: `health_check answered ${res.status}: ${said}`,
      value: res.status,
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return ctx.verdict('health', 'critical', {
      message: describeProbeFailure('health_check', error),
    });
  }
}

function queueMeasurements(
  ctx: CheckRunContext<Options>,
  samples: PrometheusSample[],
): CheckMeasurement[] {
  const key = (labels: Record<string, string>) =>
    [labels.exporter, labels.data_type].filter(Boolean).join('/') || 'exporter';
  const capacity = new Map<string, number>();
  for (const s of samples) {
    if (s.name === 'otelcol_exporter_queue_capacity') {
      capacity.set(key(s.labels), s.value);
    }
  }
  return samples
    .filter(s => s.name === 'otelcol_exporter_queue_size')
    .flatMap(s => {
      const cap = capacity.get(key(s.labels));
      if (!cap) return [];
      const ratio = s.value / cap;
      return [
        ctx.measure('queueUtilization', ratio, {
          subject: key(s.labels),
          message: `exporter ${key(s.labels)} queue ${s.value}/${cap} (${(
            ratio * 100
          ).toFixed(1)}%)`,
        }),
      ];
    });
}

async function checkMetrics(ctx: CheckRunContext<Options>) {
  const url = ctx.options.metricsUrl!;
  let samples: PrometheusSample[];
  try {
    const res = await httpProbe(url, {
      signal: ctx.signal,
      headers: ctx.headers,
    });
    if (res.status !== 200) {
      throw new Error(`answered ${res.status}`);
    }
    samples = parsePrometheusText(res.body);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return {
      measurements: [
        ctx.verdict('metrics', 'unknown', {
          message: `metrics endpoint ${redactUrl(
            url,
          )} unreadable: ${describeError(error)}`,
          runbookId: 'check-failing',
        }),
      ],
      state: undefined,
    };
  }

  const counters = {
    accepted: sumCounter(samples, 'otelcol_receiver_accepted_spans') ?? 0,
    refused: sumCounter(samples, 'otelcol_receiver_refused_spans') ?? 0,
    sent: sumCounter(samples, 'otelcol_exporter_sent_spans') ?? 0,
    failed: sumCounter(samples, 'otelcol_exporter_send_failed_spans') ?? 0,
  };
  const delta = counterDelta(counters, ctx.previousState?.counters);
  const window = delta.sinceStart
    ? 'since the collector started'
    : 'since the last run';
  const ratio = (bad: number, good: number) =>
    bad + good > 0 ? bad / (bad + good) : 0;

  const refusedRatio = ratio(delta.values.refused, delta.values.accepted);
  const failedRatio = ratio(delta.values.failed, delta.values.sent);
  return {
    measurements: [
      ...queueMeasurements(ctx, samples),
      ctx.measure('refusedRatio', refusedRatio, {
        message: `${delta.values.refused} of ${
          delta.values.refused + delta.values.accepted
        } spans refused by receivers ${window}`,
      }),
      ctx.measure('sendFailureRatio', failedRatio, {
        message: `${delta.values.failed} of ${
          delta.values.failed + delta.values.sent
        } spans failed to export ${window}`,
      }),
    ],
    state: { counters },
  };
}

/**
 * An OpenTelemetry Collector: its `health_check` extension (`target`, 200 "Server available" or
 * 503) and, with `options.metricsUrl`, its own metrics: exporter queue use, receiver refusals
 * and export failures, in either metric spelling (with or without `_total`). The check's
 * `headers` go to both (they are the same collector's endpoints).
 */
export const otelCollectorCheckType: CheckType<Options> = {
  type: 'otel-collector',
  description: 'OpenTelemetry Collector health_check endpoint and self-metrics',
  runbookId: 'collector-down',
  target: 'required',
  measurements: {
    health: {
      description: 'health_check endpoint status',
      runbookId: 'collector-down',
    },
    metrics: { description: 'whether the metrics endpoint could be read' },
    queueUtilization: {
      description: 'exporter queue size / capacity, per exporter',
      unit: 'ratio',
      threshold: { warning: 0.8, critical: 0.95, direction: 'above' },
      runbookId: 'high-queue',
    },
    refusedRatio: {
      description:
        'share of received spans refused (usually by memory_limiter)',
      unit: 'ratio',
      threshold: { warning: 0.01, critical: 0.05, direction: 'above' },
      runbookId: 'memory-pressure',
    },
    sendFailureRatio: {
      description: 'share of spans the exporters failed to send',
      unit: 'ratio',
      threshold: { warning: 0, critical: 0.05, direction: 'above' },
      runbookId: 'export-failures',
    },
  },
  parseOptions: raw => optionsSchema.parse(raw),
  async run(ctx) {
    const [health, metrics] = await Promise.all([
      checkHealth(ctx),
      ctx.options.metricsUrl ? checkMetrics(ctx) : undefined,
    ]);
    return {
      measurements: [health, ...(metrics?.measurements ?? [])],
      state: metrics?.state ?? ctx.previousState,
    };
  },
};
