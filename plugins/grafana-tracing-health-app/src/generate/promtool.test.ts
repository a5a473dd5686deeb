/**
 * @jest-environment node
 *
 * The alert rules and every PromQL expression the app ships, checked with the real promtool
 * (Debian package `prometheus`; override the binary with PROMTOOL=/path/to/promtool).
 */
/// <reference types="node" />
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { parse, stringify } from 'yaml';

import { alertGroups } from './alertRules';
import { allExpressions } from './expressions';
import { renderPrometheusRuleFile } from './ruleFiles';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const ALERTS_DIR = join(__dirname, '..', 'alerts');
const RULE_FILE = join(ALERTS_DIR, 'tracing-health.rules.yaml');
const TESTS_DIR = join(ALERTS_DIR, 'tests');
const testFiles = readdirSync(TESTS_DIR)
  .filter(name => name.endsWith('.test.yaml'))
  .map(name => join(TESTS_DIR, name));

const run = promisify(execFile);

async function promtool(...args: string[]) {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args);
    return { code: 0, output: stdout + stderr };
  } catch (error: any) {
    if (error.code === 'ENOENT') {
      throw new Error(
        `promtool not found at ${PROMTOOL} (apt-get install prometheus, or set PROMTOOL)`,
      );
    }
    return {
      code: error.code as number,
      output: `${error.stdout}${error.stderr}`,
    };
  }
}

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'tracing-health-promtool-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

jest.setTimeout(60_000);

const alertNames = alertGroups().flatMap(group =>
  group.alerts.map(alert => alert.alert),
);

describe('alert rules', () => {
  it('pass promtool check rules', async () => {
    const result = await promtool('check', 'rules', RULE_FILE);
    expect(result.output).toContain(
      `SUCCESS: ${alertNames.length} rules found`,
    );
    expect(result.code).toBe(0);
  });

  it('pass promtool check rules with another portal URL', async () => {
    const file = join(workDir, 'other-portal.rules.yaml');
    writeFileSync(
      file,
      renderPrometheusRuleFile({
        portalUrl: 'https://backstage.example.com/',
        collectorJob: 'otel-gateway',
        minTracesPerSecond: 5,
      }),
    );
    const result = await promtool('check', 'rules', file);
    expect(result.code).toBe(0);
    const rules = parse(readFileSync(file, 'utf8')).groups.flatMap(
      (g: any) => g.rules,
    );
    expect(rules.map((rule: any) => rule.annotations.runbook_url)).toContain(
      'https://backstage.example.com/tracing-health/runbooks/collector-down',
    );
    expect(
      rules.find((rule: any) => rule.alert === 'OtelCollectorDown').expr,
    ).toContain('job=~"otel-gateway"');
  });

  it('pass their promtool unit tests', async () => {
    const result = await promtool('test', 'rules', ...testFiles);
    expect(result.output).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('each have a unit test where they fire and one where they must not', () => {
    const fires = new Set<string>();
    const staysQuiet = new Set<string>();
    for (const file of testFiles) {
      const suite = parse(readFileSync(file, 'utf8'));
      expect(suite.rule_files).toEqual(['../tracing-health.rules.yaml']);
      for (const test of suite.tests) {
        for (const check of test.alert_rule_test ?? []) {
          (check.exp_alerts?.length ? fires : staysQuiet).add(check.alertname);
        }
      }
    }
    expect([...fires].sort()).toEqual([...alertNames].sort());
    expect([...staysQuiet].sort()).toEqual([...alertNames].sort());
  });

  it('fail their unit tests when a threshold is loosened (the tests can fail)', async () => {
    const dir = mkdtempSync(join(workDir, 'mutated-'));
    const rules = readFileSync(RULE_FILE, 'utf8').replace(
      /(alert: TracingHealthExportFailing\n\s+expr: .*) > 0\.05\n/,
      '$1 > 0.5\n',
    );
    expect(rules).toContain('> 0.5\n');
    writeFileSync(join(dir, 'tracing-health.rules.yaml'), rules);
    const testsDir = join(dir, 'tests');
    mkdirSync(testsDir);
    const copy = join(testsDir, 'pipeline.test.yaml');
    writeFileSync(copy, readFileSync(join(TESTS_DIR, 'pipeline.test.yaml')));
    const result = await promtool('test', 'rules', copy);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('alertname: TracingHealthExportFailing');
  });
});

describe('every PromQL expression (dashboards, alert signals and rules)', () => {
  const expressions = allExpressions();

  it('parses (promtool check rules on a recording rule per expression)', async () => {
    expect(expressions.length).toBeGreaterThan(60);
    const file = join(workDir, 'all-expressions.rules.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'all-expressions',
            rules: expressions.map((expression, index) => ({
              record: `tracing_health_generated_expression_${index}`,
              expr: expression.promql,
              labels: { source: expression.source },
            })),
          },
        ],
      }),
    );
    const result = await promtool('check', 'rules', file);
    expect(result.output).toContain(
      `SUCCESS: ${expressions.length} rules found`,
    );
    expect(result.code).toBe(0);
  });

  it('rejects an expression that does not parse (the check can fail)', async () => {
    const file = join(workDir, 'broken.rules.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'broken',
            rules: [{ record: 'broken', expr: 'sum by (job (up)' }],
          },
        ],
      }),
    );
    const result = await promtool('check', 'rules', file);
    expect(result.code).not.toBe(0);
  });
});
