import { CheckStatus } from '@internal/plugin-tracing-health-common';
import { CheckType } from '@internal/plugin-tracing-health-node';
import { z } from 'zod';
import { httpProbe, joinUrl } from '../lib/httpProbe';

const optionsSchema = z
  .object({
    /** Any PromQL expression; each series it returns is judged on its own. */
    query: z.string().min(1),
    /** The status when the query returns no series (default `unknown`). */
    noData: z.enum(['ok', 'warning', 'critical', 'unknown']).optional(),
    unit: z.string().optional(),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?:
    | {
        resultType: 'vector';
        result: Array<{
          metric: Record<string, string>;
          value: [number, string];
        }>;
      }
    | { resultType: 'scalar'; result: [number, string] }
    | { resultType: 'matrix' | 'string'; result: unknown };
}

const MAX_SERIES_SHOWN = 20;

function seriesName(metric: Record<string, string>): string {
  const labels = Object.entries(metric)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${metric.__name__ ?? ''}{${labels}}`;
}

/**
 * Any PromQL instant query against a Prometheus HTTP API (`target`, e.g. http://prometheus:9090),
 * each returned series judged against `thresholds.value` (Kafka consumer lag, ingestion rate).
 */
export const prometheusQueryCheckType: CheckType<Options> = {
  type: 'prometheus-query',
  description: 'a PromQL query judged against thresholds',
  // Any query: a generic runbook; a check about something specific sets its `runbook`
  // (e.g. `kafka-lag` for consumer lag).
  runbookId: 'promql-threshold',
  target: 'required',
  failureStatus: 'unknown',
  measurements: {
    value: { description: 'the value of each series the query returns' },
  },
  parseOptions: raw => optionsSchema.parse(raw),
  async run(ctx) {
    const url = joinUrl(
      ctx.target!,
      `/api/v1/query?query=${encodeURIComponent(ctx.options.query)}`,
    );
    const res = await httpProbe(url, {
      signal: ctx.signal,
      headers: ctx.headers,
    });
    let body: QueryResponse;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new Error(
        `Prometheus answered ${res.status}: ${res.body.slice(0, 200)}`,
      );
    }
    if (body.status !== 'success' || !body.data) {
      return {
        measurements: [
          ctx.verdict('value', 'unknown', {
            message: `query failed (${res.status} ${body.errorType ?? ''}): ${
              body.error ?? ''
            }`,
            runbookId: 'check-failing',
          }),
        ],
      };
    }
    let series: Array<{ name: string; value: number }>;
    if (body.data.resultType === 'vector') {
      series = body.data.result.map(r => ({
        name: seriesName(r.metric),
        value: Number(r.value[1]),
      }));
    } else if (body.data.resultType === 'scalar') {
      series = [{ name: 'scalar', value: Number(body.data.result[1]) }];
    } else {
      return {
        measurements: [
          ctx.verdict('value', 'unknown', {
            message: `query returned a ${body.data.resultType}; use an instant vector or scalar`,
            runbookId: 'check-failing',
          }),
        ],
      };
    }
    if (series.length === 0) {
      const status: CheckStatus = ctx.options.noData ?? 'unknown';
      return {
        measurements: [
          ctx.verdict('value', status, {
            message: `no series for ${ctx.options.query}`,
          }),
        ],
      };
    }
    const unit = ctx.options.unit ? ` ${ctx.options.unit}` : '';
    const measurements = series.map(s =>
      ctx.measure('value', s.value, {
        subject: series.length > 1 ? s.name : undefined,
        message: `${s.name} = ${s.value}${unit}`,
      }),
    );
    const rank = { critical: 0, warning: 1, unknown: 2, ok: 3 };
    measurements.sort((a, b) => rank[a.status] - rank[b.status]);
    return { measurements: measurements.slice(0, MAX_SERIES_SHOWN) };
  },
};
