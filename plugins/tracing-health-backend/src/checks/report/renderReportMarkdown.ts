import { MonthlyReport } from '@internal/plugin-tracing-health-common';

const percent = (ratio: number | undefined, digits = 2) =>
  ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(digits)}%`;

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s}s` : `${s}s`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The monthly report as Markdown: summary, uptime per check, incidents, coverage. */
export function renderReportMarkdown(report: MonthlyReport): string {
  const measured = report.checks.filter(c => c.uptime !== undefined);
  const overall = measured.length
    ? measured.reduce((sum, c) => sum + c.uptime!, 0) / measured.length
    : undefined;
  const lines = [
    `# Tracing health report: ${report.month}`,
    '',
    `Generated ${report.generatedAt}.`,
    '',
    '## Summary',
    '',
    `- Mean check uptime: ${percent(overall)}`,
    `- Incidents (critical periods): ${report.incidents.length}`,
    `- Services opted in: ${report.coverage.optedIn} of ${report.coverage.components} components`,
    `- Services traced now: ${report.coverage.traced ?? 'n/a'}`,
    `- Trace completeness: ${percent(report.coverage.completeness, 1)}`,
    '',
    '## Uptime per check',
    '',
    '| Check | Type | Uptime | Observed | Incidents |',
    '| --- | --- | --- | --- | --- |',
    ...report.checks.map(
      c =>
        `| ${cell(c.title)} | ${c.checkType} | ${percent(
          c.uptime,
        )} | ${duration(c.observedSeconds)} | ${c.incidents} |`,
    ),
    '',
    '## Incidents',
    '',
  ];
  if (report.incidents.length === 0) {
    lines.push('None.');
  } else {
    lines.push(
      '| Check | Started | Ended | Duration | Cause | Runbook |',
      '| --- | --- | --- | --- | --- | --- |',
      ...report.incidents.map(
        i =>
          `| ${i.checkId} | ${i.startedAt} | ${
            i.endedAt ?? 'ongoing'
          } | ${duration(i.durationSeconds)} | ${cell(i.message)} | ${
            i.runbookId
          } |`,
      ),
    );
  }
  lines.push(
    '',
    '## Coverage',
    '',
    `| Components | Opted in | Traced now | Completeness |`,
    '| --- | --- | --- | --- |',
    `| ${report.coverage.components} | ${report.coverage.optedIn} | ${
      report.coverage.traced ?? 'n/a'
    } | ${percent(report.coverage.completeness, 1)} |`,
    '',
  );
  return lines.join('\n');
}
