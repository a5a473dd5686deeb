/**
 * @jest-environment node
 *
 * The file-provisioning example in provisioning/ (Grafana data source, app and alert rules, and
 * the Prometheus config that scrapes the portal) is consistent with the plugin and the rules.
 */
/// <reference types="node" />
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import pluginJson from '../plugin.json';
import { alertGroups } from './alertRules';
import { DEFAULT_GRAFANA_PROVISIONING_OPTIONS } from './ruleFiles';

const PROVISIONING = join(__dirname, '..', '..', 'provisioning');
const read = (path: string) =>
  parse(readFileSync(join(PROVISIONING, path), 'utf8'));

describe('provisioning example', () => {
  const datasources = read('datasources/prometheus.yaml');
  const plugins = read('plugins/tracing-health.yaml');
  const alerting = read('alerting/tracing-health-alerts.yaml');

  it('provisions the Prometheus data source the alert rules query', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        type: 'prometheus',
        uid: DEFAULT_GRAFANA_PROVISIONING_OPTIONS.datasourceUid,
      }),
    ]);
  });

  it('enables the app with the portal URL and the token from the environment', () => {
    expect(plugins.apps).toEqual([
      expect.objectContaining({
        type: pluginJson.id,
        disabled: false,
        jsonData: { portalUrl: expect.any(String) },
        secureJsonData: { portalToken: '${GRAFANA_PORTAL_TOKEN}' },
      }),
    ]);
  });

  it('provisions every alert as a Grafana rule: the signal as query A, its threshold as C', () => {
    expect(alerting.apiVersion).toBe(1);
    const provisioned = new Map<string, any>(
      alerting.groups.flatMap((group: any) => {
        expect(group.folder).toBe('Tracing Health');
        expect(group.interval).toBe('1m');
        return group.rules.map((rule: any) => [rule.title, rule]);
      }),
    );
    const alerts = alertGroups().flatMap(group => group.alerts);
    expect([...provisioned.keys()].sort()).toEqual(
      alerts.map(a => a.alert).sort(),
    );
    for (const alert of alerts) {
      const rule = provisioned.get(alert.alert);
      const [query, threshold] = rule.data;
      expect(query).toMatchObject({
        refId: 'A',
        datasourceUid: 'prometheus',
        model: { expr: alert.signal, instant: true },
      });
      expect(threshold).toMatchObject({
        refId: 'C',
        datasourceUid: '__expr__',
        model: {
          type: 'threshold',
          expression: 'A',
          conditions: [
            {
              evaluator: {
                type: alert.op === '>' ? 'gt' : 'lt',
                params: [alert.threshold],
              },
            },
          ],
        },
      });
      expect(rule).toMatchObject({
        condition: 'C',
        for: alert.for,
        labels: { severity: alert.severity },
        noDataState: 'OK',
      });
      expect(rule.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      // Alerts about one service link to that service's runbook (whose links open its Tracing tab).
      expect(rule.annotations.runbook_url).toBe(
        `http://127.0.0.1:3000/tracing-health/runbooks/${alert.runbook}${
          alert.perService ? '?service={{ $labels.service }}' : ''
        }`,
      );
      // Grafana expands $VAR in provisioned labels (not in annotations or queries).
      expect(JSON.stringify(rule.labels)).not.toContain('$');
      expect(rule.annotations.description).not.toContain('$value ');
    }
    const uids = [...provisioned.values()].map(rule => rule.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('ships a Prometheus config that scrapes the portal and loads the rules (promtool check config)', async () => {
    const config = join(PROVISIONING, 'prometheus', 'prometheus.yml');
    const { stdout } = await promisify(execFile)(
      process.env.PROMTOOL ?? '/usr/bin/promtool',
      ['check', 'config', config],
    );
    expect(stdout).toContain('SUCCESS: 1 rule files found');
    const parsed = parse(readFileSync(config, 'utf8'));
    expect(parsed.scrape_configs[0]).toMatchObject({
      job_name: 'tracing-health-portal',
      metrics_path: '/api/tracing-health/metrics',
    });
  });
});
