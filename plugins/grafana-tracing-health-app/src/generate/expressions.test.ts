/**
 * @jest-environment node
 */
import {
  allExpressions,
  projectMetricExpressions,
  projectMetricsIn,
  substituteGrafanaVariables,
} from './expressions';

describe('substituteGrafanaVariables', () => {
  it('replaces $var and ${var}', () => {
    expect(
      substituteGrafanaVariables(
        'rate(x{service=~"$service"}[$__rate_interval]) + ${__interval}',
      ),
    ).toBe('rate(x{service=~".*"}[5m]) + 1m');
    expect(
      substituteGrafanaVariables('x{service=~"$service"}', {
        service: 'checkout|search',
      }),
    ).toBe('x{service=~"checkout|search"}');
  });

  it('throws on a variable without a value', () => {
    expect(() => substituteGrafanaVariables('x{env="$env"}')).toThrow(/\$env/);
  });
});

describe('projectMetricExpressions', () => {
  const project = projectMetricExpressions();

  it('lists the dashboard queries and alert signals on tracing_health_* metrics, variables substituted', () => {
    expect(project.length).toBeGreaterThan(30);
    for (const expression of project) {
      expect(expression.expr).toContain('tracing_health_');
      expect(expression.promql).not.toContain('$');
      expect(expression.source).not.toMatch(/\(rule\)$/);
    }
    const sources = project.map(expression => expression.source);
    expect(sources).toEqual(
      expect.arrayContaining([
        'dashboard tracing-health-overview / Ingestion rate / A',
        'dashboard tracing-health-services / Traces per second / A',
        'alert TracingHealthExportFailing (signal)',
        'alert TracingHealthCheckCritical (signal)',
      ]),
    );
    // The collector's query on the same panel reads no project metric.
    expect(sources).not.toContain(
      'dashboard tracing-health-overview / Ingestion rate / B',
    );
  });

  it('flags the queries that only have data once incidents happened', () => {
    const flagged = project
      .filter(expression => expression.onlyAfterEvents)
      .map(e => e.source);
    expect(flagged).toEqual(
      expect.arrayContaining([
        'dashboard tracing-health-overview / Refused and dropped spans by reason / A',
        'dashboard tracing-health-pipeline / Export failures / A',
      ]),
    );
    // Ratios fall back to 0 when the failure counter is missing, so they always have data.
    expect(flagged).not.toContain('alert TracingHealthExportFailing (signal)');
    expect(flagged).not.toContain(
      'dashboard tracing-health-overview / Ingestion rate / A',
    );
  });

  it('covers every expression of allExpressions that reads project metrics', () => {
    const all = allExpressions().filter(e => e.projectMetric);
    expect(all.length).toBe(
      project.length + all.filter(e => e.source.endsWith('(rule)')).length,
    );
  });
});

describe('projectMetricsIn', () => {
  it('maps histogram series to their histogram', () => {
    expect(
      projectMetricsIn(
        'histogram_quantile(0.95, sum by (le) (rate(tracing_health_service_span_duration_seconds_bucket[5m]))) / tracing_health_x',
      ),
    ).toEqual([
      'tracing_health_service_span_duration_seconds',
      'tracing_health_x',
    ]);
  });
});
