/**
 * @jest-environment node
 */
/// <reference types="node" />
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import * as common from '@internal/tracing-model';

import pluginJson from '../plugin.json';
import { DATASOURCE } from './dashboards/common';
import { generatedDashboards } from './dashboards';
import { substituteGrafanaVariables } from './expressions';

const dashboards = generatedDashboards();

/** Every non-row panel, including panels nested in collapsed rows. */
function panelsOf(dashboard: any): any[] {
  const result: any[] = [];
  const walk = (panels: any[] | undefined) => {
    for (const panel of panels ?? []) {
      if (panel.type === 'row') walk(panel.panels);
      else result.push(panel);
    }
  };
  walk(dashboard.panels);
  return result;
}

describe('dashboards', () => {
  it('keep their uids (bookmarks, links and plugin updates depend on them)', () => {
    expect(
      dashboards.map(({ file, dashboard }) => [file, dashboard.uid]),
    ).toEqual([
      ['tracing-health-overview.json', 'tracing-health-overview'],
      ['tracing-health-pipeline.json', 'tracing-health-pipeline'],
      ['tracing-health-services.json', 'tracing-health-services'],
      ['tracing-health-service-graph.json', 'tracing-health-service-graph'],
    ]);
  });

  it('are all listed in plugin.json includes, and every dashboard include exists', () => {
    const includes = pluginJson.includes.filter(
      include => include.type === 'dashboard',
    );
    expect(includes.map(include => include.path).sort()).toEqual(
      dashboards.map(({ file }) => `dashboards/${file}`).sort(),
    );
    for (const include of includes) {
      expect(existsSync(join(__dirname, '..', include.path))).toBe(true);
      const { dashboard } = dashboards.find(
        d => `dashboards/${d.file}` === include.path,
      )!;
      expect(include.name).toBe(dashboard.title);
    }
  });

  describe.each(dashboards.map(d => [d.dashboard.uid, d.dashboard] as const))(
    '%s',
    (_uid, dashboard) => {
      const panels = panelsOf(dashboard);

      it('has a Prometheus data source variable and the shared tag', () => {
        const variable = dashboard.templating?.list?.find(
          v => v.name === 'datasource',
        );
        expect(variable).toMatchObject({
          type: 'datasource',
          query: 'prometheus',
        });
        expect(dashboard.tags).toContain('tracing-health');
        expect(dashboard.title).toMatch(/^Tracing Health /);
      });

      it('has unique panel ids and titles', () => {
        const all: any[] = [];
        const walk = (list: any[] | undefined) =>
          list?.forEach(panel => {
            all.push(panel);
            walk(panel.panels);
          });
        walk(dashboard.panels);
        const ids = all.map(panel => panel.id);
        expect(ids.every(id => Number.isInteger(id) && id > 0)).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
        const titles = panels.map(panel => panel.title);
        expect(new Set(titles).size).toBe(titles.length);
      });

      it('queries the data source variable from every panel, with well-formed targets', () => {
        expect(panels.length).toBeGreaterThan(3);
        for (const panel of panels) {
          expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
            panel: panel.title,
            datasource: DATASOURCE,
          });
          expect(panel.targets?.length).toBeGreaterThan(0);
          const refIds = panel.targets.map((target: any) => target.refId);
          expect(new Set(refIds).size).toBe(refIds.length);
          for (const target of panel.targets) {
            expect(target.datasource).toEqual(DATASOURCE);
            expect(target.refId).toMatch(/^[A-Z]$/);
            expect(typeof target.expr).toBe('string');
            expect(target.expr.trim()).not.toBe('');
            // Throws on a variable the dashboard does not define.
            expect(() => substituteGrafanaVariables(target.expr)).not.toThrow();
          }
        }
      });

      it('lays panels out inside the 24-column grid', () => {
        for (const panel of panels) {
          expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
          expect(panel.gridPos.h).toBeGreaterThan(0);
        }
      });
    },
  );

  it('read the project metrics by their -common names only', () => {
    const projectMetrics = new Set<string>();
    for (const { dashboard } of dashboards) {
      for (const panel of panelsOf(dashboard)) {
        for (const target of panel.targets) {
          for (const match of target.expr.matchAll(/tracing_health_[a-z_]+/g)) {
            projectMetrics.add(match[0].replace(/_bucket$/, ''));
          }
        }
      }
    }
    const known = new Set<string>(
      [
        'PIPELINE_METRICS',
        'SPAN_METRICS',
        'COVERAGE_METRICS',
        'CHECK_METRICS',
        'SAMPLING_METRICS',
        'SERVICE_GRAPH_METRICS',
      ].flatMap(group =>
        Object.values(
          common[group as keyof typeof common] as Record<string, string>,
        ),
      ),
    );
    expect(projectMetrics.size).toBeGreaterThan(20);
    for (const metric of projectMetrics) {
      expect(metric.startsWith(common.METRIC_PREFIX)).toBe(true);
      expect({ metric, known: known.has(metric) }).toEqual({
        metric,
        known: true,
      });
    }
  });

  it('give the services dashboard a multi-value service variable used by its per-service panels', () => {
    const { dashboard } = dashboards.find(
      d => d.dashboard.uid === 'tracing-health-services',
    )!;
    const service = dashboard.templating?.list?.find(v => v.name === 'service');
    expect(service).toMatchObject({
      type: 'query',
      multi: true,
      includeAll: true,
      allValue: '.*',
      datasource: DATASOURCE,
      query: 'label_values(tracing_health_coverage_service_state, service)',
    });
    const perService = panelsOf(dashboard).filter(panel =>
      panel.targets.some((target: any) =>
        target.expr.includes('service=~"$service"'),
      ),
    );
    expect(perService.map(panel => panel.title)).toEqual(
      expect.arrayContaining([
        'Traces per second',
        'Error ratio',
        'Latency p95',
        'Trace completeness',
        'Coverage state',
      ]),
    );
  });
});
